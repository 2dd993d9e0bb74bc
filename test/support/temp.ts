import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Temporary directories of a test process, removed when it exits (also when a
// test failed: node's test runner ends each file's process normally).

const made = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** A new directory under the temporary directory ($TMPDIR), gone when this process exits. */
export function tempDir(prefix: string): string {
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
  }
  const dir = mkdtempSync(join(tmpdir(), `flowlens-${prefix}-`));
  made.add(dir);
  return dir;
}
