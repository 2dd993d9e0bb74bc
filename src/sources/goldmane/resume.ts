// Where a (re)connected stream starts (docs/contracts.md section 6):
// - first connect: 0, Goldmane's "from now" (nothing before the agent started
//   is counted, so a restarted agent never re-counts what it exported before);
// - after a disconnect: the last end_time received, which is the start of the
//   first bucket not yet seen, so nothing is lost and nothing doubled;
// - after an outage longer than Goldmane's memory: Goldmane silently skips a
//   backfill that starts before its ring, so the start is clamped into the ring
//   and the unavoidable gap is reported.

/** Goldmane keeps 240 buckets of 15 s; stay a few buckets inside that hour. */
export const MAX_BACKFILL_SECONDS = 3_540;

export interface ResumePlan {
  /** start_time_gte for FlowStreamRequest (unix seconds, or 0 = now). */
  readonly startTimeGte: number;
  /** Seconds between the last end_time and the clamped start, lost for good. */
  readonly gapSeconds: number;
}

export function planResume(lastEndTime: number | undefined, nowSeconds: number): ResumePlan {
  if (lastEndTime === undefined) return { startTimeGte: 0, gapSeconds: 0 };
  const earliest = Math.floor(nowSeconds) - MAX_BACKFILL_SECONDS;
  if (lastEndTime >= earliest) return { startTimeGte: lastEndTime, gapSeconds: 0 };
  return { startTimeGte: earliest, gapSeconds: earliest - lastEndTime };
}
