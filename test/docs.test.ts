import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The documentation stands on its own: every relative link (and #anchor)
// resolves inside the repository, and nothing cites a document the repository
// does not ship or words only the team knows.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string, accept: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path, accept));
    else if (accept(path)) out.push(path);
  }
  return out;
}

const markdown = files(ROOT, (path) => path.endsWith('.md'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, (char) => (char === '_' ? '_' : ''))
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1]!)));
}

test('every relative link in the documentation resolves, anchors included', () => {
  assert.ok(markdown.length >= 15, `found ${markdown.length} markdown files`);
  const broken: string[] = [];
  let checked = 0;
  for (const file of markdown) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      checked++;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : join(dirname(file), path);
      const where = `${relative(ROOT, file)}: ${target}`;
      if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        broken.push(`${where} (no such heading)`);
      }
    }
  }
  assert.ok(checked > 50, `${checked} links checked`);
  assert.deepEqual(broken, []);
});

test('docs and code comments cite only what the repository or an upstream project holds, in the tools\' own names', () => {
  const sources = [...markdown, ...files(join(ROOT, 'src'), (path) => path.endsWith('.ts')), ...files(join(ROOT, 'test'), (path) => path.endsWith('.ts') && !path.endsWith('docs.test.ts')), ...files(join(ROOT, 'deploy'), () => true)];
  const offending: string[] = [];
  const patterns = [/\bCONTRACTS\.md\b/, /\bresearch\/[a-z-]+\.md\b/, /\.\.\/shared\b/, /\bseed 00\d\b/i, /\bPRODUCT\.md\b/, /\bSTYLE\.md\b/];
  for (const file of sources) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (patterns.some((pattern) => pattern.test(line))) offending.push(`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offending, []);
});
