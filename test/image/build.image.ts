import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { docker } from './support/docker-cli';
import {
  type Builder,
  buildSwitchyardImage,
  imageSizeBytes,
  nodeBaseImage,
  revision,
} from './support/switchyard-image';

const MiB = 1024 * 1024;

/** Runs a shell line in the image, as its own user, without starting an app. */
function shellIn(tag: string, line: string): Promise<string> {
  return docker(['run', '--rm', '--entrypoint', 'sh', tag, '-c', line]);
}

describe('docker/Dockerfile builds offline', { timeout: 15 * 60_000 }, () => {
  for (const builder of ['classic', 'buildkit'] satisfies Builder[]) {
    it(`with the ${builder === 'classic' ? 'classic builder (DOCKER_BUILDKIT=0)' : "daemon's BuildKit (DOCKER_BUILDKIT=1)"}`, async () => {
      const started = Date.now();
      const tag = await buildSwitchyardImage(builder);
      const size = await imageSizeBytes(tag);
      console.log(
        `${tag}: built in ${((Date.now() - started) / 1000).toFixed(0)} s, ${(size / MiB).toFixed(0)} MiB ` +
          `(base ${nodeBaseImage()}: ${((await imageSizeBytes(nodeBaseImage())) / MiB).toFixed(0)} MiB)`,
      );
      const labels = JSON.parse(
        await docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', tag]),
      ) as Record<string, string>;
      assert.equal(labels['org.opencontainers.image.base.name'], nodeBaseImage());
      assert.equal(labels['org.opencontainers.image.revision'], revision);
      assert.equal(labels['org.opencontainers.image.version'], '0.1.0');
    });
  }

  it('holds production dependencies only: no typescript, dev tools, type declarations, source maps, npm, corepack or yarn', async () => {
    const tag = await buildSwitchyardImage('classic');
    const present = await shellIn(
      tag,
      'for p in node_modules/typescript node_modules/eslint node_modules/node node_modules/@nestjs/cli ' +
        '/usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack; do [ -e "$p" ] && echo "$p"; done; ' +
        'for b in npm npx corepack yarn; do command -v "$b"; done; ' +
        "find node_modules -type f \\( -name '*.d.ts' -o -name '*.map' \\) | head -3",
    );
    assert.equal(present, '', `the runtime image holds:\n${present}`);
    // The native addon whose install script the build re-runs is there and loads.
    assert.equal(await shellIn(tag, "node -e \"require('msgpackr-extract'); console.log('ok')\""), 'ok');
  });

  it('runs as uid 1000 under tini, with the code owned by root', async () => {
    const tag = await buildSwitchyardImage('classic');
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', tag])) as {
      User: string;
      Entrypoint: string[];
    };
    assert.equal(config.User, '1000:1000');
    assert.deepEqual(config.Entrypoint, ['/usr/bin/tini', '-e', '143', '--', 'node']);
    assert.equal(await shellIn(tag, 'stat -c %U /app/dist /app/node_modules | sort -u'), 'root');
    assert.match(await shellIn(tag, 'touch /app/dist/x 2>&1 || echo refused'), /refused/);
  });
});
