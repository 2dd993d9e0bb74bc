import { dropOldest } from '../../flow/drop-oldest.js';

// Counting each (flow key, start_time) once: Goldmane may send a bucket twice
// (a rollover racing a new stream's backfill), and a flow's FlowResult.id
// repeats for every interval, so ids cannot tell repeats from new data.
//
// Per flow key, one number: the newest 15-second bucket counted for it and a
// bitmask of the 31 buckets before it (packed as bucket * 2^32 + mask, exact
// in a double). When the newest bucket seen at all advances (every 15 s), keys
// whose newest bucket left the window (`windowBuckets` behind it) are swept
// out; at `maxKeys` the first remembered keys go (1/64 of them). A report older than what a
// key still remembers is counted (as a report for a bucket that left the
// window always was).

export const BUCKET_SECONDS = 15;
/** Buckets a key remembers besides its newest one: the mask's width. */
export const MAX_WINDOW_BUCKETS = 32;
const MASK = 2 ** 32;
/** Buckets since the first one seen that a packed value holds (2^21 buckets: about a year). */
const MAX_RELATIVE = 2 ** 21;

export interface DedupeEvictions {
  /** Keys dropped because the dedupe held maxKeys. */
  limit: number;
}

export class IntervalDedupe {
  private readonly keys = new Map<string, number>();
  private base: number | undefined;
  private newest = Number.NEGATIVE_INFINITY;
  readonly evictions: DedupeEvictions = { limit: 0 };

  constructor(
    private readonly windowBuckets: number,
    private readonly maxKeys: number,
  ) {
    if (windowBuckets > MAX_WINDOW_BUCKETS) throw new Error(`a dedupe window of ${windowBuckets} buckets is more than ${MAX_WINDOW_BUCKETS}`);
  }

  /** True when (keyId, startTime) was seen before; records it otherwise. */
  seen(keyId: string, startTime: number): boolean {
    const absolute = Math.floor(startTime / BUCKET_SECONDS);
    this.base ??= absolute - MAX_WINDOW_BUCKETS;
    let bucket = absolute - this.base;
    if (bucket >= MAX_RELATIVE) {
      // A year later: start the window over from here.
      this.keys.clear();
      this.base = absolute - MAX_WINDOW_BUCKETS;
      this.newest = Number.NEGATIVE_INFINITY;
      bucket = MAX_WINDOW_BUCKETS;
    }
    if (bucket < 0) return false; // before anything this process saw: nothing to compare with
    if (bucket > this.newest) {
      this.newest = bucket;
      this.expire();
    }
    const packed = this.keys.get(keyId);
    if (packed === undefined) {
      if (this.keys.size >= this.maxKeys) this.evictOldest();
      this.keys.set(keyId, bucket * MASK + 1);
      return false;
    }
    const newest = Math.floor(packed / MASK);
    const mask = packed % MASK;
    if (bucket > newest) {
      const shift = bucket - newest;
      const moved = shift >= MAX_WINDOW_BUCKETS ? 0 : (mask * 2 ** shift) % MASK;
      this.keys.set(keyId, bucket * MASK + moved + 1);
      return false;
    }
    const behind = newest - bucket;
    if (behind >= MAX_WINDOW_BUCKETS) return false;
    const bit = 2 ** behind;
    if (Math.floor(mask / bit) % 2 === 1) return true;
    this.keys.set(keyId, packed + bit);
    return false;
  }

  /** Keys remembered now (the memory self-metric). */
  get size(): number {
    return this.keys.size;
  }

  /** Drops the keys whose newest bucket left the window (once per bucket: a sweep over the keys). */
  private expire(): void {
    const cutoff = (this.newest - this.windowBuckets) * MASK;
    for (const [keyId, packed] of this.keys) if (packed < cutoff) this.keys.delete(keyId);
  }

  private evictOldest(): void {
    this.evictions.limit += dropOldest(this.keys);
  }
}
