import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlowRecord, ResumePoint } from '../../flow/flow-record.js';

// How far flow logs were delivered, kept in a small JSON file so a restarted
// agent resumes Goldmane where the previous one stopped delivering (within
// Goldmane's hour) instead of "now". The point is the start of the oldest
// interval not yet fully delivered, with the flow keys of that interval (and
// later ones) that were: resuming re-reads those intervals and skips exactly
// what was delivered, so nothing is lost and nothing sent twice.

interface CheckpointFile {
  readonly version: 1;
  readonly resumeFrom: number;
  readonly delivered: Record<string, readonly string[]>;
}

export class DeliveryTracker {
  /** Delivered flow keys by interval start (unix seconds), for the intervals at and after the resume point. */
  private readonly delivered = new Map<number, string[]>();
  private newestStart: number | undefined;

  /** Records the export receiver acknowledged. */
  acknowledge(records: readonly FlowRecord[]): void {
    for (const record of records) {
      const start = record.startTime / 1_000;
      let keys = this.delivered.get(start);
      if (keys === undefined) {
        keys = [];
        this.delivered.set(start, keys);
      }
      keys.push(record.key);
      if (this.newestStart === undefined || start > this.newestStart) this.newestStart = start;
    }
  }

  /**
   * The resume point, given the earliest interval start among records not yet
   * delivered (queued or in flight), if any. Forgets intervals before it.
   */
  point(oldestPendingStart: number | undefined): ResumePoint | undefined {
    const from = oldestPendingStart ?? this.newestStart;
    if (from === undefined) return undefined;
    for (const start of this.delivered.keys()) if (start < from) this.delivered.delete(start);
    return { startTime: from, delivered: new Map(this.delivered) };
  }
}

export function writeCheckpoint(path: string, point: ResumePoint): void {
  const file: CheckpointFile = { version: 1, resumeFrom: point.startTime, delivered: Object.fromEntries([...point.delivered].map(([start, keys]) => [String(start), keys])) };
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(file));
  renameSync(temporary, path);
}

/** The saved point; undefined when there is no file. Throws Error with a readable message when it is unusable. */
export function readCheckpoint(path: string): ResumePoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const data = JSON.parse(text) as Partial<CheckpointFile>;
  if (data.version !== 1 || typeof data.resumeFrom !== 'number' || !Number.isFinite(data.resumeFrom) || typeof data.delivered !== 'object' || data.delivered === null) {
    throw new Error('not a flowlens checkpoint (version 1)');
  }
  const delivered = new Map<number, readonly string[]>();
  for (const [start, keys] of Object.entries(data.delivered)) {
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string') || !Number.isFinite(Number(start))) {
      throw new Error(`interval ${start}: expected a list of flow keys`);
    }
    delivered.set(Number(start), keys);
  }
  return { startTime: data.resumeFrom, delivered };
}
