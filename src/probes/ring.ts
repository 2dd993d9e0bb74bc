import { createHash } from 'node:crypto';

// Which peers an agent probes when it discovers them: every agent sits on a
// ring ordered by the SHA-256 of its key (the node name) and probes the k
// members after itself. Every agent then probes exactly k and is probed by
// exactly k (while there are more than k), cluster-wide cost is O(n·k), and a
// node joining or leaving changes the choice of only the k nodes before it.

export interface RingMember<T> {
  /** Stable identity on the ring: the node name (else the address). */
  readonly key: string;
  readonly value: T;
}

const position = (key: string): string => createHash('sha256').update(key).digest('hex');

/** The k members following `self` on the ring (self and duplicates of its key excluded), in ring order. */
export function ringSuccessors<T>(self: string, members: readonly RingMember<T>[], k: number): RingMember<T>[] {
  const others = new Map<string, { member: RingMember<T>; at: string }[]>();
  for (const member of members) {
    if (member.key === self) continue;
    const list = others.get(member.key) ?? [];
    list.push({ member, at: position(member.key) });
    others.set(member.key, list);
  }
  // A node with several addresses (dual stack) is one ring member: all of its addresses are chosen together.
  const keys = [...others.keys()].map((key) => ({ key, at: position(key) })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1));
  if (keys.length === 0) return [];
  const me = position(self);
  let start = keys.findIndex((entry) => entry.at > me);
  if (start < 0) start = 0;
  const chosen: RingMember<T>[] = [];
  for (let i = 0; i < Math.min(k, keys.length); i++) {
    const key = keys[(start + i) % keys.length]!.key;
    for (const { member } of others.get(key)!) chosen.push(member);
  }
  return chosen;
}
