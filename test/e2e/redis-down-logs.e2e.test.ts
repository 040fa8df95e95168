/**
 * The api started against a Redis that is not there: it serves probes and 503s, and everything it
 * writes, on stdout and stderr, stays one JSON object per line (no multi-line ECONNREFUSED dumps from
 * BullMQ queues without an `error` listener), at most one line per queue (and per lane's event reader,
 * which runs while a job is followed) per 30 s; and it still exits on SIGTERM.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { appEntry, freePort } from '@switchyard/local-stack';
import { pollUntil } from '@switchyard/polling';

const LANES = ['io', 'cpu'];

describe('api logs while Redis is down', () => {
  it('stay JSON, one line per event, rate-limited', { timeout: 60_000 }, async () => {
    const [port, deadRedisPort] = [await freePort(), await freePort()];
    const api = spawn(process.execPath, [appEntry('api')], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        AUTH: 'none',
        RATE_LIMIT: 'off',
        LANES: LANES.join(','),
        REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`,
        QUEUE_PREFIX: 'redis-down-test',
        OTEL_SDK_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    api.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(api, 'exit');
    try {
      const base = `http://127.0.0.1:${port}`;
      await pollUntil(
        () =>
          fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        {
          timeoutMs: 20_000,
          what: 'the api to listen',
        },
      );
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      assert.equal((await fetch(`${base}/v1/queues`)).status, 503);
      // Following a job starts the lanes' event readers (they run only while someone watches).
      assert.equal((await fetch(`${base}/v1/jobs/${randomUUID()}/events`)).status, 503);
      // ioredis retries every 0.2–2 s: several failed reconnections per queue happen meanwhile.
      await delay(4_000);
    } finally {
      api.kill('SIGTERM');
      await exited;
    }
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    assert.deepEqual(notJson, [], 'every line is a JSON object');
    const entries = lines.map((line) => JSON.parse(line) as { msg?: string; what?: string });
    const queueErrors = entries.filter((entry) => entry.what?.startsWith('queue '));
    assert.deepEqual(
      queueErrors.map((entry) => entry.what).sort(),
      LANES.flatMap((lane) => [`queue ${lane}`, `queue events ${lane}`]).sort(),
      'one line per queue and per event reader within the 30 s interval, naming the lane',
    );
    assert.match(queueErrors[0]?.msg ?? '', /ECONNREFUSED/);
  });
});
