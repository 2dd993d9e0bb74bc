// Event-loop lag as the probes see it. A probe's end is stamped by a callback,
// so if the loop was blocked while the answer waited, the block lands in the
// sample as fake network latency. A 10 ms ticker records how late each tick
// ran; a sample whose span (up to the first tick after it ended) saw lag
// beyond the bound is discarded instead of recorded. The ticker runs only
// while a probe holds it (a wakeup every 10 ms is not free: ~20 ms of CPU per
// second on the 2-core development machine), so an idle prober costs nothing.

const TICK_MS = 10;
const KEEP = 4_096; // ~40 s of ticks

export class LagWatch {
  private readonly times = new Float64Array(KEEP);
  private readonly lags = new Float64Array(KEEP);
  private count = 0;
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private holders = 0;
  private peak = 0;

  /** The largest lag (ms) seen since the last call. */
  takePeak(): number {
    const peak = this.peak;
    this.peak = 0;
    return peak;
  }

  /** A probe starts: tick while any probe is in flight. */
  hold(): void {
    if (this.holders++ === 0) {
      this.last = performance.now();
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
  }

  /** A probe is done (after its nextTick()). */
  release(): void {
    if (this.holders > 0 && --this.holders === 0) this.stop();
  }

  stop(): void {
    this.holders = 0;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private tick(): void {
    const now = performance.now();
    const lag = Math.max(0, now - this.last - TICK_MS);
    this.last = now;
    const at = this.count % KEEP;
    this.times[at] = now;
    this.lags[at] = lag;
    this.count++;
    if (lag > this.peak) this.peak = lag;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves at the next tick (at once when stopped). */
  nextTick(): Promise<void> {
    if (this.timer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The largest lag (ms) of ticks that ran from `from` on (performance.now() time); a tick's lag covers the time before it. */
  maxLagSince(from: number): number {
    let max = 0;
    const oldest = Math.max(0, this.count - KEEP);
    for (let i = this.count - 1; i >= oldest; i--) {
      const at = i % KEEP;
      // A tick at time t with lag l covers (t - TICK - l, t]: it overlaps the span if t > from.
      if (this.times[at]! <= from) break;
      if (this.lags[at]! > max) max = this.lags[at]!;
    }
    return max;
  }
}
