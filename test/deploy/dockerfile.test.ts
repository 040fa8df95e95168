import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dockerfile, dockerignore } from './support/repo-paths';

// No Docker engine runs here, so the image is not built: these checks read the Dockerfile's instructions.
const instructions = readFileSync(dockerfile, 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
  });
const runtimeStage = instructions.slice(instructions.findLastIndex((line) => line.keyword === 'FROM'));
const last = (keyword: string) =>
  runtimeStage.filter((line) => line.keyword === keyword).at(-1)?.argument ?? '';

describe('docker/Dockerfile', () => {
  it('builds in one stage and runs from another, on Node.js 22', () => {
    const stages = instructions.filter((line) => line.keyword === 'FROM');
    assert.equal(stages.length, 2);
    assert.match(
      instructions.find((line) => line.argument.startsWith('NODE_IMAGE='))?.argument ?? '',
      /^NODE_IMAGE=node:22[-.]/,
    );
    const build = instructions.map((line) => line.argument).join('\n');
    assert.match(build, /npm ci/);
    assert.match(build, /npm run build/);
    assert.match(build, /npm prune --omit=dev/);
  });

  it('runs as a numeric non-root user, under tini, with exec-form ENTRYPOINT and CMD', () => {
    const user = last('USER');
    assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user} is not a numeric non-root user`);
    assert.deepEqual(JSON.parse(last('ENTRYPOINT')), ['/usr/bin/tini', '--', 'node']);
    assert.deepEqual(JSON.parse(last('CMD')), ['dist/apps/api/src/main.js']);
  });

  it('carries OCI labels', () => {
    const labels = runtimeStage
      .filter((line) => line.keyword === 'LABEL')
      .map((line) => line.argument)
      .join(' ');
    for (const key of ['title', 'version', 'revision', 'source', 'licenses']) {
      assert.ok(
        labels.includes(`org.opencontainers.image.${key}=`),
        `no org.opencontainers.image.${key} label`,
      );
    }
  });

  it('.dockerignore keeps node_modules, dist and secrets out of the build context', () => {
    const rules = readFileSync(dockerignore, 'utf8')
      .split('\n')
      .map((line) => line.trim());
    assert.equal(
      rules.find((line) => line !== '' && !line.startsWith('#')),
      '**',
      'the context is not deny-by-default',
    );
    for (const allowed of rules.filter((line) => line.startsWith('!'))) {
      assert.doesNotMatch(allowed, /node_modules|dist|\.env|\.git/, `${allowed} lets in what must stay out`);
    }
  });
});
