import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm test`: node's test runner over every compiled test file, with a
// temporary directory of the run's own as $TMPDIR. Whatever a test leaves
// there is listed and removed afterwards, so the machine's temporary
// directory stays clean even when tests fail or are killed; leftovers after
// an otherwise passing run fail it, since each test must clean up after itself.

const root = fileURLToPath(new URL('../test/', import.meta.url));

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...testFiles(path));
    else if (entry.name.endsWith('.test.js')) files.push(path);
  }
  return files.sort();
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles(root);
const scratch = mkdtempSync(join(tmpdir(), 'flowlens-test-run-'));
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) => child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
const left = readdirSync(scratch);
rmSync(scratch, { recursive: true, force: true });
if (left.length > 0) {
  process.stderr.write(`\nnpm test: the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary directory (removed now): ${left.join(', ')}\n`);
}
process.stdout.write(`node ${process.version}; ${files.length} test files from ${relative(process.cwd(), root) || '.'}\n`);
process.exit(code !== 0 ? code : left.length > 0 ? 1 : 0);
