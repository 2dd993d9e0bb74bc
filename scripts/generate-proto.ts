import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Regenerates the Goldmane wire code from proto/goldmane.proto with protobufjs'
// pbjs/pbts (npm devDependencies: no network, no protoc). Output: static
// decoders/encoders (ES module) and their TypeScript declarations.
// Usage: node dist/scripts/generate-proto.js [output-directory]

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = process.argv[2] ?? join(root, 'src/sources/goldmane/generated');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

export const PBJS_ARGS = [
  '-t', 'static-module', '-w', 'es6', '--es6', '--force-number',
  '--no-create', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service',
];

mkdirSync(outDir, { recursive: true });
const js = join(outDir, 'goldmane.js');
execFileSync(bin('pbjs'), [...PBJS_ARGS, '-o', js, join(root, 'proto/goldmane.proto')], { stdio: 'inherit' });
execFileSync(bin('pbts'), ['--no-comments', '-o', join(outDir, 'goldmane.d.ts'), js], { stdio: 'inherit' });
process.stdout.write(`generated ${outDir}\n`);
