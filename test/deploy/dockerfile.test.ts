import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dockerfile, dockerignore, repoRoot } from './support/repo-paths';

// Static checks of the Dockerfile's instructions, run by `npm test`; `npm run test:image` builds the image
// with both builders and runs it (test/image/).
const text = readFileSync(dockerfile, 'utf8');
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
  });
const stageStarts = instructions.flatMap((line, index) => (line.keyword === 'FROM' ? [index] : []));
const buildStage = instructions.slice(stageStarts[0], stageStarts.at(-1));
const runtimeStage = instructions.slice(stageStarts.at(-1));
const runs = (stage: typeof instructions) =>
  stage
    .filter((line) => line.keyword === 'RUN')
    .map((line) => line.argument)
    .join('\n');
const last = (keyword: string) =>
  runtimeStage.filter((line) => line.keyword === keyword).at(-1)?.argument ?? '';

describe('docker/Dockerfile', () => {
  it('builds in one stage and runs from another, on Node.js 22', () => {
    const stages = instructions.filter((line) => line.keyword === 'FROM');
    assert.equal(stages.length, 2);
    assert.match(
      instructions.find((line) => line.argument.startsWith('NODE_IMAGE='))?.argument ?? '',
      /^NODE_IMAGE=docker\.io\/library\/node:22[-.]/,
    );
    assert.match(runs(buildStage), /npm run build/);
    assert.match(runs(buildStage), /npm prune --omit=dev/);
  });

  it('names no `# syntax=` frontend, which BuildKit would pull from Docker Hub (so it builds offline)', () => {
    assert.doesNotMatch(text, /^#\s*syntax\s*=/im);
  });

  it('installs with --ignore-scripts and re-runs only scripts package.json allowScripts permits', () => {
    assert.match(runs(buildStage), /npm ci --ignore-scripts/);
    const { allowScripts } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
    };
    const rebuilt = [...runs(buildStage).matchAll(/npm rebuild ((?:[@\w/.-]+ ?)+)/g)].flatMap((match) =>
      match[1].split(' ').filter((word) => word !== '' && !word.startsWith('-')),
    );
    assert.ok(rebuilt.length > 0, 'nothing is rebuilt: the native addons would lack their install step');
    for (const name of rebuilt)
      assert.equal(allowScripts[name], true, `${name} is rebuilt but not in allowScripts`);
  });

  it('leaves typescript, source maps and the package managers out of the runtime image', () => {
    assert.match(runs(buildStage), /rm -rf node_modules\/typescript/);
    assert.match(runs(buildStage), /find node_modules .*-name '\*\.map'.* -delete/);
    for (const location of ['/usr/local/lib/node_modules', '/usr/local/bin/npm', '/usr/local/bin/corepack'])
      assert.ok(runs(runtimeStage).includes(location), `the runtime stage keeps ${location}`);
  });

  it('runs as a numeric non-root user, under tini, with exec-form ENTRYPOINT and CMD', () => {
    const user = last('USER');
    assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user} is not a numeric non-root user`);
    assert.deepEqual(JSON.parse(last('ENTRYPOINT')), ['/usr/bin/tini', '-e', '143', '--', 'node']);
    assert.deepEqual(JSON.parse(last('CMD')), ['dist/apps/api/src/main.js']);
  });

  it('carries OCI labels, the base image named from an ARG re-declared in the runtime stage', () => {
    const labels = runtimeStage
      .filter((line) => line.keyword === 'LABEL')
      .map((line) => line.argument)
      .join(' ');
    assert.ok(
      runtimeStage.some((line) => line.keyword === 'ARG' && line.argument === 'NODE_IMAGE'),
      'ARG NODE_IMAGE is not re-declared in the runtime stage: the base.name label would be empty',
    );
    assert.ok(labels.includes('org.opencontainers.image.base.name="${NODE_IMAGE}"'));
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
