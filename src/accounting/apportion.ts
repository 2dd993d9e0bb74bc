// Splitting one exact per-endpoint count among categories whose exact
// per-endpoint values iptables cannot tell apart (a shared policy chain's
// deny and pass rules, the member policies of a shared policy group), in
// proportion to node-wide weights from the shared chains' own counters.
//
// Splits are kept monotone across scrapes: after the first, only the growth
// of the total is split, in proportion to the growth of the weights, and
// added to what was already attributed, so no part ever goes backwards while
// the underlying counters only grow. A total or weight that decreases (Felix
// rewrote the chains: counters restart) starts the split over. When the
// weights are the endpoint's own values (the chain has a single user) the
// split is exact.

interface SplitState {
  total: bigint;
  weights: readonly bigint[];
  parts: bigint[];
}

export class Apportioner {
  private states = new Map<string, SplitState>();
  private seen = new Set<string>();

  /**
   * `total` split into one part per weight (same order). With all weights 0,
   * the whole total goes to `fallback`.
   */
  split(key: string, total: bigint, weights: readonly bigint[], fallback = 0): bigint[] {
    this.seen.add(key);
    const state = this.states.get(key);
    let parts: bigint[];
    if (state === undefined || total < state.total || state.weights.length !== weights.length || weights.some((weight, i) => weight < state.weights[i]!)) {
      parts = proportional(total, weights, fallback);
    } else {
      const grown = weights.map((weight, i) => weight - state.weights[i]!);
      const added = proportional(total - state.total, grown.some((weight) => weight > 0n) ? grown : weights, fallback);
      parts = state.parts.map((part, i) => part + added[i]!);
    }
    this.states.set(key, { total, weights: [...weights], parts });
    return parts;
  }

  /** Forgets the splits not used since the last sweep (endpoints and policies that went away). */
  sweep(): void {
    for (const key of this.states.keys()) if (!this.seen.has(key)) this.states.delete(key);
    this.seen = new Set();
  }
}

/** Largest-remainder proportional split: integer parts that sum to `total` exactly. */
export function proportional(total: bigint, weights: readonly bigint[], fallback = 0): bigint[] {
  const sum = weights.reduce((a, b) => a + (b > 0n ? b : 0n), 0n);
  const parts = weights.map(() => 0n);
  if (total <= 0n || parts.length === 0) return parts;
  if (sum === 0n) {
    parts[Math.min(Math.max(fallback, 0), parts.length - 1)] = total;
    return parts;
  }
  const remainders: Array<{ index: number; remainder: bigint }> = [];
  let given = 0n;
  weights.forEach((weight, index) => {
    if (weight <= 0n) return;
    const share = total * weight;
    parts[index] = share / sum;
    given += parts[index]!;
    remainders.push({ index, remainder: share % sum });
  });
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (let i = 0; given < total; i++, given++) {
    const index = remainders[i % remainders.length]!.index;
    parts[index] = parts[index]! + 1n;
  }
  return parts;
}
