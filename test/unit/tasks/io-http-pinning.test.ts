import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { catalogOptionsFromEnv, createIoHttpTask, type HostLookup } from '@switchyard/tasks';
import { startRecordingListeners, type RecordingListeners } from './recording-listeners';
import { taskContext } from './task-test-context';
import { LOCALHOST_TLS } from './tls-fixture';

/** An io.http task allowing `host:port` and 127.0.0.1 only, resolving names with `lookup`. */
function taskFor(hostPort: string, lookup: HostLookup) {
  const options = catalogOptionsFromEnv({ HTTP_ALLOWED_HOSTS: hostPort, HTTP_ALLOWED_CIDRS: '127.0.0.1/32' });
  return createIoHttpTask({
    allowedHosts: options.httpAllowedHosts,
    allowedCidrs: options.httpAllowedCidrs,
    lookup,
  });
}

describe('io.http connects to the address it checked', { timeout: 15_000 }, () => {
  let listeners: RecordingListeners;
  before(async () => {
    listeners = await startRecordingListeners();
  });
  after(() => listeners.close());

  it('asks DNS once: a name that rebinds after the check still reaches the checked address', async () => {
    let lookups = 0;
    // First answer allowed (127.0.0.1); any later answer is 127.0.0.2, which the policy refuses.
    const rebinding: HostLookup = async () => [
      { address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 },
    ];
    const http = taskFor(`rebind.test:${listeners.port}`, rebinding);
    const result = await http.handler(
      { url: `http://rebind.test:${listeners.port}/`, method: 'GET' },
      taskContext(),
    );
    assert.equal(result.status, 200);
    assert.equal(lookups, 1);
    assert.deepEqual(listeners.connections, ['127.0.0.1']);
  });

  it('over https, sends the host name for SNI and verifies the certificate (a self-signed one fails)', async () => {
    const serverNames: string[] = [];
    const context = createSecureContext(LOCALHOST_TLS);
    const server = createServer({
      ...LOCALHOST_TLS,
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(null, context);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const pinned: HostLookup = async () => [{ address: '127.0.0.1', family: 4 }];
      const https = taskFor(`localhost:${port}`, pinned);
      await assert.rejects(
        https.handler({ url: `https://localhost:${port}/?token=s3cret`, method: 'GET' }, taskContext()),
        (error: Error) => {
          assert.match(
            error.message,
            new RegExp(
              `^io\\.http GET https://localhost:${port}/ failed after connecting: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$`,
            ),
          );
          return true;
        },
      );
      assert.deepEqual(serverNames, ['localhost']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
