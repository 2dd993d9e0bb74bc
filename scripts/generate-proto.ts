import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * int64 fields as JS numbers without protobufjs' process-wide switch
 * (util.Long = null, which would change every other protobufjs user in the
 * process): defaults are 0, decoded values are converted when the `long`
 * package made them Longs. Goldmane's int64 values stay far below 2^53.
 */
export function numbersNotLongs(code: string): string {
  return code
    .replaceAll(/\$util\.Long \? \$util\.Long\.fromBits\(0,0,(?:true|false)\) : 0/g, '0')
    .replaceAll(/reader\.(u?int64|s?fixed64|sint64)\(\)/g, '$$number(reader.$1())')
    .replace(
      'const $Reader = $protobuf.Reader,',
      'const $number = (value) => typeof value === "number" ? value : value.toNumber();\nconst $Reader = $protobuf.Reader,',
    );
}

mkdirSync(outDir, { recursive: true });
const js = join(outDir, 'goldmane.js');
execFileSync(bin('pbjs'), [...PBJS_ARGS, '-o', js, join(root, 'proto/goldmane.proto')], { stdio: 'inherit' });
writeFileSync(js, numbersNotLongs(readFileSync(js, 'utf8')));
execFileSync(bin('pbts'), ['--no-comments', '-o', join(outDir, 'goldmane.d.ts'), js], { stdio: 'inherit' });
process.stdout.write(`generated ${outDir}\n`);
