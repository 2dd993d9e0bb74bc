// A Server-Sent-Events client for the tests, reading the stream with fetch
// (a real HTTP client): events as they arrive, bounded waits.

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  private readonly abort = new AbortController();
  status = 0;
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { signal: client.abort.signal, headers });
    client.status = response.status;
    if (response.body === null || response.status !== 200) return client;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    client.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) client.events.push({ event, data: data.join('\n') });
          }
        }
      } catch {
        // aborted
      }
    })();
    return client;
  }

  /** The flow events' bodies, parsed. */
  flows(): Array<Record<string, unknown> & { Key: Record<string, unknown> }> {
    return this.events.filter((event) => event.event === 'message').map((event) => JSON.parse(event.data) as Record<string, unknown> & { Key: Record<string, unknown> });
  }

  /** The last `stats` event's counts. */
  stats(): { sent: number; folded: number; skipped: number } | undefined {
    const last = this.events.filter((event) => event.event === 'stats').at(-1);
    return last === undefined ? undefined : (JSON.parse(last.data) as { sent: number; folded: number; skipped: number });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
