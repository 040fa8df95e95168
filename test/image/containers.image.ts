import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { docker } from './support/docker-cli';
import { type AppContainer, ContainerStack, containerState, pid1Status } from './support/container-stack';
import { submitJob, waitForJobState, waitForOk } from './support/job-rest';
import { buildSwitchyardImage, redisImage } from './support/switchyard-image';

/** Short, so a drain that outlives its budget shows within the test. */
const DRAIN_TIMEOUT_MS = 4_000;
/** Docker's kill comes long after the drain: an exit within the bound is the app's own. */
const STOP_GRACE_SECONDS = 30;
const EXIT_BOUND_MS = DRAIN_TIMEOUT_MS + 4_000;
const PRIMES_TO_1M = 78_498;

// One compute consumer per execution model, each on a lane of its own, so a job names the model by its lane.
const COMPUTE = [
  { lane: 'cpu', model: 'worker-threads', role: 'compute-threads' },
  { lane: 'cpu-processes', model: 'processes', role: 'compute-processes' },
  { lane: 'cpu-inline', model: 'inline', role: 'compute-inline' },
] as const;

describe(
  'the image runs api, io-consumer and compute read-only as uid 1000 with no capabilities',
  { timeout: 10 * 60_000 },
  () => {
    let stack: ContainerStack;
    let api: AppContainer;
    let ioConsumer: AppContainer;
    const computes = new Map<string, AppContainer>();

    before(async () => {
      const image = await buildSwitchyardImage('classic');
      stack = new ContainerStack(image, redisImage(), {
        AUTH: 'none',
        RATE_LIMIT: 'off',
        LANES: ['io', ...COMPUTE.map(({ lane }) => lane)].join(','),
        DIAGNOSTIC_TASKS: 'true',
        DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
        POOL_SIZE: '2',
        LOG_LEVEL: 'warn',
      });
      await stack.startRedis();
      api = await stack.startApp({ role: 'api', main: 'dist/apps/api/src/main.js', port: 3000 });
      ioConsumer = await stack.startApp({
        role: 'io-consumer',
        main: 'dist/apps/io-consumer/src/main.js',
        port: 3001,
        env: { LANE: 'io', IO_CONCURRENCY: '32' },
      });
      for (const { lane, model, role } of COMPUTE) {
        computes.set(
          lane,
          await stack.startApp({
            role,
            main: 'dist/apps/compute/src/main.js',
            port: 3002,
            env: { LANE: lane, EXECUTION_MODEL: model },
          }),
        );
      }
    });

    after(async () => {
      await stack?.stop();
    });

    it('every app answers /healthz and /readyz', async () => {
      for (const app of [api, ioConsumer, ...computes.values()]) {
        await waitForOk(`${app.baseUrl}/readyz`, 60_000).catch(async (error: Error) => {
          throw new Error(`${error.message}\n${await stack.logs(app.name)}`);
        });
        assert.equal((await fetch(`${app.baseUrl}/healthz`)).status, 200, `${app.name} /healthz`);
        console.log(`${app.name}: /healthz and /readyz 200`);
      }
    });

    it('PID 1 is tini, running as uid 1000 with no effective capabilities, on a read-only root', async () => {
      for (const app of [api, ioConsumer, ...computes.values()]) {
        const status = await pid1Status(app.name);
        assert.equal(status.Name, 'tini', `${app.name} PID 1`);
        assert.match(status.Uid, /^1000\s+1000\s+1000\s+1000$/, `${app.name} uid`);
        assert.equal(status.CapEff, '0000000000000000', `${app.name} effective capabilities`);
        assert.equal(status.NoNewPrivs, '1', `${app.name} no_new_privs`);
        const write = await docker([
          'exec',
          app.name,
          'sh',
          '-c',
          'touch /app/probe 2>&1; touch /tmp/probe && echo tmp-ok',
        ]);
        assert.match(write, /Read-only file system/, `${app.name} root is writable`);
        assert.match(write, /tmp-ok/, `${app.name} has no writable /tmp`);
      }
      console.log('every app: PID 1 tini, uid 1000, CapEff 0, NoNewPrivs, read-only root with a tmpfs /tmp');
    });

    it('runs an io job on the io-consumer event loop', async () => {
      const accepted = await submitJob(api.baseUrl, { task: 'io.sleep', payload: { ms: 200 } });
      const job = await waitForJobState(api.baseUrl, accepted.id, ['completed', 'failed'], 30_000);
      assert.equal(job.state, 'completed', JSON.stringify(job.error));
      assert.deepEqual(job.result, { sleptMs: 200 });
      assert.equal(job.execution?.model, 'event-loop');
      console.log(`io.sleep on lane io: completed on the event loop in ${job.runMs} ms`);
    });

    for (const { lane, model } of COMPUTE) {
      it(`runs a cpu job with the ${model} execution model`, async () => {
        const accepted = await submitJob(api.baseUrl, {
          task: 'cpu.primes',
          payload: { limit: 1_000_000 },
          lane,
        });
        const job = await waitForJobState(api.baseUrl, accepted.id, ['completed', 'failed'], 60_000);
        assert.equal(job.state, 'completed', JSON.stringify(job.error));
        assert.deepEqual(job.result, { limit: 1_000_000, count: PRIMES_TO_1M });
        assert.equal(job.execution?.model, model);
        assert.equal(job.lane, lane);
        console.log(
          `cpu.primes on lane ${lane}: ${PRIMES_TO_1M} primes, run by ${model} (pid ${job.execution?.pid}, thread ${job.execution?.threadId})`,
        );
      });
    }

    /** SIGTERMs the container (docker stop) and returns how long it took to exit, and its exit code. */
    async function stopAndTime(container: AppContainer): Promise<{ exitMs: number; exitCode: number }> {
      const started = Date.now();
      await docker(['stop', '--time', String(STOP_GRACE_SECONDS), container.name]);
      const exitMs = Date.now() - started;
      return { exitMs, exitCode: (await containerState(container.name)).ExitCode };
    }

    it('SIGTERM mid-job: the io-consumer finishes its job within the drain and exits 0', async () => {
      const accepted = await submitJob(api.baseUrl, { task: 'io.sleep', payload: { ms: 2_000 } });
      await waitForJobState(api.baseUrl, accepted.id, ['active'], 30_000);
      const { exitMs, exitCode } = await stopAndTime(ioConsumer);
      const job = await waitForJobState(api.baseUrl, accepted.id, ['completed', 'failed', 'waiting'], 10_000);
      console.log(
        `io-consumer SIGTERM with a 2 s job active: exit ${exitCode} after ${exitMs} ms, job ${job.state}`,
      );
      assert.equal(exitCode, 0);
      assert.ok(exitMs <= EXIT_BOUND_MS, `exited after ${exitMs} ms, bound ${EXIT_BOUND_MS} ms`);
      assert.equal(job.state, 'completed', 'a job shorter than the drain completes during it');
    });

    it('SIGTERM mid-job: compute puts a job longer than the drain back in the queue, exits 0, and it completes after a restart', async () => {
      const compute = computes.get('cpu');
      assert.ok(compute);
      const accepted = await submitJob(api.baseUrl, {
        task: 'diag.spin',
        payload: { ms: 8_000 },
        lane: 'cpu',
      });
      await waitForJobState(api.baseUrl, accepted.id, ['active'], 30_000);
      const { exitMs, exitCode } = await stopAndTime(compute);
      const requeued = await waitForJobState(
        api.baseUrl,
        accepted.id,
        ['waiting', 'completed', 'failed'],
        10_000,
      );
      console.log(
        `compute SIGTERM with an 8 s job active (drain ${DRAIN_TIMEOUT_MS} ms): exit ${exitCode} after ${exitMs} ms, job ${requeued.state}`,
      );
      assert.equal(exitCode, 0);
      assert.ok(exitMs <= EXIT_BOUND_MS, `exited after ${exitMs} ms, bound ${EXIT_BOUND_MS} ms`);
      assert.equal(
        requeued.state,
        'waiting',
        'the job outlasting the drain goes back to wait, not lost or failed',
      );

      await docker(['start', compute.name]);
      const done = await waitForJobState(api.baseUrl, accepted.id, ['completed', 'failed'], 60_000);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      console.log(`after the restart the requeued job completed (attempts made: ${done.attempts.made})`);
    });
  },
);
