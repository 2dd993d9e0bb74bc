import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// No Docker engine runs on these machines, so the image cannot be built here;
// this checks the Dockerfile's promises instead.
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

test('the image is multi-stage on Node 24 bookworm-slim, runs as non-root, needs no writable root', () => {
  const stages = dockerfile.match(/^FROM .*/gm) ?? [];
  assert.ok(stages.length >= 2, 'multi-stage');
  for (const stage of stages) assert.match(stage, /^FROM node:24(\.\d+)*-bookworm-slim\b/);
  const user = /^USER (\S+)/m.exec(dockerfile)?.[1];
  assert.ok(user && !/^(0|root)(:|$)/.test(user), `non-root USER, got ${user}`);
  assert.ok(dockerfile.lastIndexOf('USER') > dockerfile.lastIndexOf('FROM'), 'USER applies to the final stage');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/dist\/src\/cli\.js"\]/m, 'node runs the bin directly, so signals reach it');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('FROM'));
  assert.doesNotMatch(finalStage, /^RUN /m, 'nothing is written into the final image at build or run time');
});
