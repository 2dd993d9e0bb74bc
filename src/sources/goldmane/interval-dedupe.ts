// Counting each (flow key, start_time) once: Goldmane may send a bucket twice
// (a rollover racing a new stream's backfill), and a flow's FlowResult.id
// repeats for every interval, so ids cannot tell repeats from new data. The
// set keeps the keys of the buckets within `windowSeconds` of the newest start
// time seen; older buckets are forgotten, bounding memory.

export class IntervalDedupe {
  private readonly buckets = new Map<number, Set<string>>();
  private newestStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowSeconds: number) {}

  /** True when (keyId, startTime) was seen before; records it otherwise. */
  seen(keyId: string, startTime: number): boolean {
    let keys = this.buckets.get(startTime);
    if (keys === undefined) {
      keys = new Set();
      this.buckets.set(startTime, keys);
      if (startTime > this.newestStart) {
        this.newestStart = startTime;
        this.evict();
      }
    } else if (keys.has(keyId)) {
      return true;
    }
    keys.add(keyId);
    return false;
  }

  private evict(): void {
    const oldest = this.newestStart - this.windowSeconds;
    for (const start of this.buckets.keys()) if (start < oldest) this.buckets.delete(start);
  }

  /** Keys remembered now (for the memory self-metric). */
  get size(): number {
    let size = 0;
    for (const keys of this.buckets.values()) size += keys.size;
    return size;
  }
}
