// Exponential backoff with jitter between reconnects: initial, 2x, 4x, ...
// capped at max; each delay is drawn from [50%, 100%] of its step so agents
// restarted together do not reconnect in lockstep.

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return step * (0.5 + this.random() * 0.5);
  }

  reset(): void {
    this.attempt = 0;
  }
}
