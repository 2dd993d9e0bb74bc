// Durations as operators write them: "15s", "500ms", "10m", Go-style sequences
// such as "1m30s", or a plain number of seconds ("15", 15). Values are kept in
// milliseconds inside flowlens.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PLAIN_SECONDS = /^\d+(\.\d+)?$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

export class DurationError extends Error {}

/** The longest a Node.js timer can wait (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parses a duration into milliseconds; throws DurationError with a readable message. */
export function parseDuration(input: string | number): number {
  const ms = parseMilliseconds(input);
  if (ms > MAX_DURATION_MS) throw new DurationError(`invalid duration ${JSON.stringify(input)}: longer than 24.8 days, the longest a timer can wait`);
  return ms;
}

function parseMilliseconds(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new DurationError(`invalid duration ${input}: must be a non-negative number of seconds`);
    }
    return input * 1_000;
  }
  const text = input.trim();
  if (PLAIN_SECONDS.test(text)) return Number(text) * 1_000;
  if (text === '') throw new DurationError('invalid duration "": empty');
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null || match.index !== start) {
      throw new DurationError(
        `invalid duration "${input}": expected forms like 15s, 500ms, 10m, 1m30s or plain seconds`,
      );
    }
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}

const FORMAT_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Formats milliseconds back into the shortest exact Go-style duration ("1m30s", "500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (!Number.isInteger(ms)) return `${Number((ms / 1_000).toPrecision(12))}s`;
  let rest = ms;
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
