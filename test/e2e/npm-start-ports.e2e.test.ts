/**
 * `npm start` (the stack's main, as the npm script runs it after the build) honours PORT and
 * HEALTH_PORT: the api listens on PORT, the io-consumer's health port is HEALTH_PORT and the
 * compute's the next one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '@switchyard/local-stack';
import { pollUntil } from '@switchyard/polling';
import { deletePrefix } from '../helpers/redis-cleanup';

const STACK_MAIN = path.resolve(__dirname, '../../apps/stack/src/main.js');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two adjacent free ports: HEALTH_PORT and the one after it. */
async function adjacentFreePorts(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const port = await freePort();
    if (port < 65_535 && (await isFree(port + 1))) return port;
  }
  throw new Error('no two adjacent free ports');
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it(
    'puts the api on PORT and the consumers on HEALTH_PORT and the next port',
    { timeout: 90_000 },
    async () => {
      const apiPort = await freePort();
      const healthPort = await adjacentFreePorts();
      const prefix = `test-${randomUUID()}`;
      const stack = spawn(process.execPath, [STACK_MAIN], {
        env: {
          ...process.env,
          PORT: String(apiPort),
          HEALTH_PORT: String(healthPort),
          QUEUE_PREFIX: prefix,
          REDIS_URL,
          OTEL_SDK_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      stack.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(stack, 'exit');
      try {
        const ready = async (port: number) =>
          (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.json() as Promise<
            { status: string; lane?: string } | undefined
          >;
        const lanes = await pollUntil(
          async () => {
            const answers = await Promise.all([apiPort, healthPort, healthPort + 1].map(ready));
            return answers.every((answer) => answer?.status === 'ready') && answers;
          },
          {
            timeoutMs: 60_000,
            what: `the stack on ${apiPort}, ${healthPort}, ${healthPort + 1}:\n${output}`,
          },
        );
        assert.equal(lanes[1]?.lane, 'io', 'the io-consumer on HEALTH_PORT');
        assert.equal(lanes[2]?.lane, 'cpu', 'the compute on HEALTH_PORT + 1');
      } finally {
        stack.kill('SIGINT');
        await exited;
        await deletePrefix(REDIS_URL, prefix);
      }
    },
  );
});
