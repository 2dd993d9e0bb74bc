import { spawnSync } from 'node:child_process';

export interface PromtoolResult {
  readonly status: number | null;
  /** "metric problem" lines (lint) and "error while linting: ..." lines (parse errors). */
  readonly problems: string[];
}

/** Runs `promtool check metrics` on an exposition: exit 0 clean, 3 lint only, 1 parse errors. */
export function promtoolCheck(exposition: string): PromtoolResult {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
  const problems = `${result.stdout}\n${result.stderr}`.split('\n').map((line) => line.trim()).filter(Boolean);
  return { status: result.status, problems };
}
