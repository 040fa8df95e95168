import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '@switchyard/config';

/** A password that a URL must escape (@ : / % # and a space), as a Secret may hold. */
const PASSWORD = 'p@ss:w/rd%#x y';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('REDIS_PASSWORD_FILE', () => {
  let redis: ChildProcess;
  let port: number;
  let dir: string;

  before(async () => {
    port = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'redis-password-'));
    // A private Redis that requires the password, set through a config file as the chart does.
    const conf = path.join(dir, 'redis.conf');
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nsave ""\nappendonly no\nrequirepass "${PASSWORD}"\n`);
    redis = spawn('redis-server', [conf], { stdio: 'ignore' });
    // Ready once it takes the password; a fresh client per attempt (a failed one cannot connect again).
    for (let attempt = 0; ; attempt += 1) {
      const probe = new Redis({ port, password: PASSWORD, lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        probe.disconnect();
        break;
      } catch (error) {
        probe.disconnect();
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  after(() => {
    redis.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the file password (trailing newline dropped) into REDIS_URL, and Redis accepts it', async () => {
    const file = path.join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}/0`, REDIS_PASSWORD_FILE: file });
    assert.ok(!config.REDIS_URL.includes(PASSWORD), 'the password is percent-encoded in the URL');
    const client = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.disconnect();
    }
  });

  it('without it, the same Redis refuses the client (the password is really needed)', async () => {
    const client = new Redis(`redis://127.0.0.1:${port}/0`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    try {
      await assert.rejects(async () => {
        await client.connect();
        await client.ping();
      });
      assert.match(errors.map((error) => error.message).join('\n'), /NOAUTH/);
    } finally {
      client.disconnect();
    }
  });

  it('names an unreadable or empty file', () => {
    assert.throws(
      () => loadConfig({ REDIS_PASSWORD_FILE: path.join(dir, 'missing') }),
      (error: unknown) =>
        error instanceof ConfigError && /REDIS_PASSWORD_FILE=.*cannot be read \(ENOENT\)/.test(error.message),
    );
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    assert.throws(() => loadConfig({ REDIS_PASSWORD_FILE: empty }), /the file is empty/);
  });
});
