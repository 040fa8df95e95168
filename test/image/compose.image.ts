import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pollUntil } from '@switchyard/polling';
import { docker } from './support/docker-cli';
import { ComposeProject, execIn, findCompose } from './support/compose-cli';
import { submitJob, waitForJobState, waitForOk } from './support/job-rest';
import { buildSwitchyardImage, redisImage, repoRoot } from './support/switchyard-image';

const composeFile = path.join(repoRoot, 'docker', 'compose.yaml');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

// The stack as a user starts it, from docker/compose.yaml and an env file holding the secrets; Jaeger is
// behind the `tracing` profile (its image cannot be pulled here), so the default profile runs without it.
describe(
  'docker/compose.yaml brings the stack up, runs jobs and comes down',
  { timeout: 10 * 60_000 },
  () => {
    for (const version of ['v1', 'v2'] as const) {
      it(`with Compose ${version}`, async (t) => {
        const cli = await findCompose(version);
        if (!cli) {
          t.skip(
            `Compose ${version} is not installed here and could not be built (the reason is printed above)`,
          );
          return;
        }
        const image = await buildSwitchyardImage('classic');
        const password = randomBytes(18).toString('hex');
        const secretsDir = mkdtempSync(path.join(tmpdir(), 'switchyard-compose-'));
        const envFile = path.join(secretsDir, 'switchyard.env');
        writeFileSync(
          envFile,
          `REDIS_PASSWORD=${password}\nREDIS_URL=redis://:${password}@redis:6379\nAUTH=none\n`,
          { mode: 0o600 },
        );
        const apiPort = await freePort();
        const project = new ComposeProject(
          cli,
          `switchyard-it-${randomBytes(4).toString('hex')}`,
          composeFile,
          {
            SWITCHYARD_IMAGE: image,
            REDIS_IMAGE: redisImage(),
            SWITCHYARD_ENV_FILE: envFile,
            SWITCHYARD_API_PORT: String(apiPort),
          },
        );
        t.after(async () => {
          await project.down().catch(() => undefined);
          rmSync(secretsDir, { recursive: true, force: true });
        });

        await project.compose(['up', '--detach', '--no-build']);
        const baseUrl = `http://127.0.0.1:${apiPort}`;
        await waitForOk(`${baseUrl}/readyz`, 90_000).catch(async (error: Error) => {
          throw new Error(`${error.message}\n${await project.logs()}`);
        });
        const published = await docker(['port', await project.containerOf('api'), '3000/tcp']);
        assert.match(published, /^127\.0\.0\.1:/, `the api is published on ${published}`);

        // The compose healthchecks themselves (what `depends_on: service_healthy` and `ps` rely on) pass.
        for (const service of ['redis', 'api', 'io-consumer', 'compute']) {
          const container = await project.containerOf(service);
          await pollUntil(
            async () =>
              (await docker(['inspect', '--format', '{{.State.Health.Status}}', container])) === 'healthy',
            { timeoutMs: 90_000, intervalMs: 1_000, what: `${service}'s healthcheck to pass` },
          );
        }

        const io = await submitJob(baseUrl, { task: 'io.sleep', payload: { ms: 100 } });
        const cpu = await submitJob(baseUrl, { task: 'cpu.primes', payload: { limit: 1_000_000 } });
        const ioJob = await waitForJobState(baseUrl, io.id, ['completed', 'failed'], 60_000);
        const cpuJob = await waitForJobState(baseUrl, cpu.id, ['completed', 'failed'], 60_000);
        assert.equal(ioJob.state, 'completed', JSON.stringify(ioJob.error));
        assert.deepEqual(cpuJob.result, { limit: 1_000_000, count: 78_498 });

        // The password is in the env file only: not in Redis's argv, and Redis refuses a client without it.
        const redis = await project.containerOf('redis');
        const argv = (await execIn(redis, ['cat', '/proc/1/cmdline'])).replaceAll('\0', ' ');
        assert.ok(!argv.includes(password), `Redis's command line holds the password: ${argv}`);
        assert.ok(!(await docker(['inspect', redis])).includes(`requirepass ${password}`));
        assert.match(
          await execIn(redis, ['redis-cli', 'ping']).catch((error: Error) => error.message),
          /NOAUTH/,
        );
        console.log(
          `compose ${version} (${[cli.binary, ...cli.prefix].join(' ')}): up and healthy, io.sleep and cpu.primes completed, api on ${published}, Redis password not in argv`,
        );

        await project.down();
        assert.equal(
          await project.compose(['ps', '--quiet']).then((out) => out.trim()),
          '',
          'containers left after down',
        );
      });
    }
  },
);
