// Results derived from the Kubernetes cache, kept until the cache changes:
// every add, change or removal moves KubeCache.generation, and the memo
// starts over then (or when it holds `max` entries). Lookups are one map read
// and allocate nothing, so hot paths (every enriched line, every flow
// endpoint) can use it.

export class GenerationMemo<V> {
  private map = new Map<string, V>();
  private generation = -1;

  constructor(
    /** The cache's generation now. */
    private readonly current: () => number,
    private readonly max: number,
  ) {}

  /** The value kept for `key` under the current generation, if any. */
  get(key: string): V | undefined {
    const generation = this.current();
    if (generation !== this.generation || this.map.size >= this.max) {
      this.map = new Map();
      this.generation = generation;
    }
    return this.map.get(key);
  }

  /** Keeps `value` for `key`; call right after a get() that found nothing. */
  set(key: string, value: V): V {
    this.map.set(key, value);
    return value;
  }
}
