// One rendered /metrics body per scrape burst. Scrapes that arrive while a
// body of the same kind (format, compression) is being rendered, or while it
// is still being sent to an earlier scraper and is younger than maxAgeMs,
// share that body: 50 concurrent scrapes hold one body in memory, not 50.
// Renders run one at a time, so a burst asking for several kinds holds at
// most one render's working memory. A body is dropped once its last scraper
// is done; a scrape after a finished one always renders afresh.

export interface SharedBody {
  readonly body: Promise<Buffer>;
  /** Call once the response is done with the body (sent, or the client left). */
  release(): void;
}

interface Entry {
  readonly body: Promise<Buffer>;
  users: number;
  /** When the render finished (undefined while rendering). */
  renderedAt: number | undefined;
}

export class SharedRenders {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<unknown> = Promise.resolve();
  private rendered = 0;

  constructor(
    private readonly render: (kind: string) => Promise<Buffer>,
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Bodies rendered so far (each shared by one or more scrapes). */
  get renders(): number {
    return this.rendered;
  }

  acquire(kind: string): SharedBody {
    let entry = this.entries.get(kind);
    if (entry === undefined || !this.shareable(entry)) entry = this.start(kind);
    entry.users++;
    let released = false;
    const owner = entry;
    return {
      body: entry.body,
      release: () => {
        if (released) return;
        released = true;
        owner.users--;
        this.forgetIfUnused(kind, owner);
      },
    };
  }

  private shareable(entry: Entry): boolean {
    if (entry.renderedAt === undefined) return true;
    return entry.users > 0 && this.now() - entry.renderedAt <= this.maxAgeMs;
  }

  private start(kind: string): Entry {
    this.rendered++;
    const body = this.queue.then(() => this.render(kind));
    this.queue = body.catch(() => undefined);
    const entry: Entry = { body, users: 0, renderedAt: undefined };
    this.entries.set(kind, entry);
    body.then(
      () => {
        entry.renderedAt = this.now();
        this.forgetIfUnused(kind, entry);
      },
      // A failed render is not shared with later scrapes: they try again.
      () => {
        if (this.entries.get(kind) === entry) this.entries.delete(kind);
      },
    );
    return entry;
  }

  private forgetIfUnused(kind: string, entry: Entry): void {
    if (entry.users === 0 && entry.renderedAt !== undefined && this.entries.get(kind) === entry) this.entries.delete(kind);
  }
}
