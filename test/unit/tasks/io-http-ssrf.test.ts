import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TaskDefinition } from '@switchyard/contracts';
import {
  IO_HTTP_UNREACHABLE_MESSAGE,
  catalogOptionsFromEnv,
  createIoHttpTask,
  systemHostLookup,
  type HostLookup,
  type IoHttpPayload,
  type IoHttpResult,
} from '@switchyard/tasks';
import { startRecordingListeners, withoutConnections, type RecordingListeners } from './recording-listeners';
import { taskContext } from './task-test-context';

/** Names the test resolves without DNS; `localhost` goes to the system resolver (/etc/hosts). */
const FAKE_DNS: Readonly<Record<string, readonly string[]>> = {
  'loopback.test': ['127.0.0.1'],
  'internal.test': ['10.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  // A public-looking answer first would be connected to if only the first address were checked.
  'mixed.test': ['127.0.0.1', '10.0.0.1'],
};

const fakeLookup: HostLookup = async (name) => {
  if (name === 'localhost') return systemHostLookup(name);
  const addresses = FAKE_DNS[name];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: isIP(address) }));
};

/** Every host the tests name: all allowlisted, so that only the address checks can refuse them. */
const HOSTS = [
  '127.0.0.1',
  '127.0.0.2',
  '0.0.0.0',
  '[::1]',
  '[::]',
  '[::ffff:127.0.0.1]',
  'localhost',
  'loopback.test',
  'mixed.test',
  'internal.test',
  'metadata.test',
  'nowhere.test',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '169.254.169.254',
  '169.254.1.1',
  '100.64.0.1',
  '224.0.0.1',
  '255.255.255.255',
  '[fd00:ec2::254]',
  '[fe80::1]',
  '[::ffff:10.0.0.1]',
];

describe(
  'io.http SSRF protection (the real handler, a recording loopback listener)',
  { timeout: 30_000 },
  () => {
    let listeners: RecordingListeners;
    /** A second set on another port that is never allowlisted. */
    let unlisted: RecordingListeners;

    /** A fresh io.http task (own connection pool) allowing every HOSTS entry on the listeners' port. */
    const task = (cidrs = ''): TaskDefinition<IoHttpPayload, IoHttpResult> => {
      const options = catalogOptionsFromEnv({
        HTTP_ALLOWED_HOSTS: HOSTS.map((host) => `${host}:${listeners.port}`).join(','),
        HTTP_ALLOWED_CIDRS: cidrs,
      });
      return createIoHttpTask({
        allowedHosts: options.httpAllowedHosts,
        allowedCidrs: options.httpAllowedCidrs,
        lookup: fakeLookup,
      });
    };
    /** Runs the handler as a queued job would (no submit-time validation) and returns its error message. */
    const refusal = async (definition: TaskDefinition<IoHttpPayload, IoHttpResult>, url: string) => {
      try {
        await definition.handler({ url, method: 'GET' }, taskContext());
      } catch (error) {
        return (error as Error).message;
      }
      return 'reached';
    };

    before(async () => {
      listeners = await startRecordingListeners();
      unlisted = await startRecordingListeners();
    });
    after(async () => {
      await listeners.close();
      await unlisted.close();
    });

    it('refuses every loopback spelling, by address and by name, and connects to nothing', async () => {
      const port = listeners.port;
      const urls = [
        `http://127.0.0.1:${port}/`,
        `http://localhost:${port}/`,
        `http://127.0.0.2:${port}/`,
        `http://0.0.0.0:${port}/`,
        `http://[::1]:${port}/`,
        `http://[::]:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://loopback.test:${port}/`,
        `http://2130706433:${port}/`,
        `http://0177.0.0.1:${port}/`,
        `http://0x7f.1:${port}/`,
        `https://127.0.0.1:${port}/`,
      ];
      const closed = task();
      for (const url of urls) {
        assert.equal(await refusal(closed, url), IO_HTTP_UNREACHABLE_MESSAGE, url);
      }
      assert.deepEqual(listeners.connections, []);
    });

    it('with 127.0.0.1/32 allowed, still refuses other loopback addresses, other ports, userinfo and mixed answers', async () => {
      const port = listeners.port;
      const open = task('127.0.0.1/32');
      const cases = [
        `http://127.0.0.2:${port}/`,
        `http://[::1]:${port}/`,
        `http://127.0.0.1:${unlisted.port}/`,
        `http://0x7f.1:${unlisted.port}/`,
        `http://allowed@127.0.0.1:${port}/`,
        `http://user:secret@127.0.0.1:${port}/`,
        `http://mixed.test:${port}/`,
        `http://nowhere.test:${port}/`,
        `ftp://127.0.0.1:${port}/`,
        'not a url',
      ];
      for (const url of cases) assert.equal(await refusal(open, url), IO_HTTP_UNREACHABLE_MESSAGE, url);
      assert.deepEqual(listeners.connections, []);
      assert.deepEqual(unlisted.connections, []);
    });

    it('refuses private, link-local, metadata, CGNAT, multicast and broadcast addresses before any connection', async () => {
      const port = listeners.port;
      const urls = [
        `http://10.0.0.1:${port}/`,
        `http://172.16.0.1:${port}/`,
        `http://192.168.1.1:${port}/`,
        `http://169.254.169.254:${port}/latest/meta-data/`,
        `http://100.64.0.1:${port}/`,
        `http://224.0.0.1:${port}/`,
        `http://255.255.255.255:${port}/`,
        `http://[fd00:ec2::254]:${port}/`,
        `http://[fe80::1]:${port}/`,
        `http://[::ffff:10.0.0.1]:${port}/`,
        `http://internal.test:${port}/`,
        `http://metadata.test:${port}/`,
      ];
      const closed = task();
      const metadataRangeOpen = task('169.254.0.0/16');
      for (const url of urls) {
        const { error, attempts } = await withoutConnections(() =>
          closed.handler({ url, method: 'GET' }, taskContext()),
        );
        assert.equal(attempts, 0, `${url} attempted a connection`);
        assert.equal((error as Error).message, IO_HTTP_UNREACHABLE_MESSAGE, url);
      }
      // An allowed range does not open the metadata address inside it…
      const metadata = await withoutConnections(() =>
        metadataRangeOpen.handler({ url: `http://169.254.169.254:${port}/`, method: 'GET' }, taskContext()),
      );
      assert.equal(metadata.attempts, 0);
      // …but does open the rest of the range: the tripwire sees that attempt (so it would see a broken check).
      const linkLocal = await withoutConnections(() =>
        metadataRangeOpen.handler({ url: `http://169.254.1.1:${port}/`, method: 'GET' }, taskContext()),
      );
      assert.equal(linkLocal.attempts, 1);
      assert.equal((linkLocal.error as Error).message, IO_HTTP_UNREACHABLE_MESSAGE);
    });

    it('reaches the listener when HTTP_ALLOWED_CIDRS and HTTP_ALLOWED_HOSTS allow it (positive control)', async () => {
      const port = listeners.port;
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://0x7f.1:${port}/`,
        `http://loopback.test:${port}/`,
      ]) {
        const before = listeners.connections.length;
        const result = await task('127.0.0.1/32').handler({ url, method: 'GET' }, taskContext());
        assert.equal(result.status, 200, url);
        assert.deepEqual(listeners.connections.slice(before), ['127.0.0.1'], url);
      }
      if (listeners.ipv6) {
        const result = await task('::1/128').handler(
          { url: `http://[::1]:${port}/`, method: 'GET' },
          taskContext(),
        );
        assert.equal(result.status, 200);
        assert.equal(listeners.connections.at(-1), '::1');
      }
    });
  },
);
