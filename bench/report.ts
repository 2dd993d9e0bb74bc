// Shared by the benchmarks: one JSON line per result on stdout, numbers rounded.

export function report(result: Record<string, string | number | boolean>): void {
  const rounded = Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, typeof value === 'number' ? Number(value.toPrecision(4)) : value]),
  );
  process.stdout.write(`${JSON.stringify(rounded)}\n`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs a full collection when node was started with --expose-gc. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
