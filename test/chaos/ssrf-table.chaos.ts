import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IO_HTTP_UNREACHABLE_MESSAGE } from '@switchyard/tasks';
import { startRecordingListeners } from '../unit/tasks/recording-listeners';
import { startChaosStack } from './support/chaos-stack';
import { printFigure } from './support/figure';

/**
 * The SSRF table through the real apps: io.http jobs aimed at loopback in every spelling, with each host:port
 * on HTTP_ALLOWED_HOSTS (so the api accepts them and the consumer's run-time address check is what must hold)
 * and no HTTP_ALLOWED_CIDRS. Listeners on 127.0.0.1, 127.0.0.2 and [::1] record any connection: there must be
 * none, and every job must fail with the one uniform text. Non-loopback targets (private, link-local,
 * metadata) are refused before any connection too; they are covered without network by the unit table in
 * test/unit/tasks/io-http-ssrf.test.ts, since this workplace forbids traffic to them.
 */
test('SSRF table: io.http reaches no loopback address, whatever the spelling', async () => {
  const listeners = await startRecordingListeners();
  const port = listeners.port;
  const hosts = [
    '127.0.0.1',
    '127.0.0.2',
    'localhost',
    '0.0.0.0',
    ...(listeners.ipv6 ? ['[::1]', '[::ffff:7f00:1]'] : []),
  ];
  const chaos = await startChaosStack({
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer' },
    ],
    env: { HTTP_ALLOWED_HOSTS: hosts.map((host) => `${host}:${port}`).join(','), HTTP_ALLOWED_CIDRS: '' },
  });
  try {
    const urls = [
      ...hosts.map((host) => `http://${host}:${port}/`),
      `http://2130706433:${port}/`, // 127.0.0.1 as one decimal number
      `http://0x7f.1:${port}/`, // hex and short form
      `http://0177.0.0.1:${port}/`, // octal
      `http://127.1:${port}/path?token=probe`,
    ];
    const jobs = await chaos.client.submitBatch(urls.map((url) => ({ task: 'io.http', payload: { url } })));
    const views = await chaos.client.waitForAll(
      jobs.map((job) => job.id),
      { timeoutMs: 60_000 },
    );
    const failedUniformly = views.filter(
      (view) => view.state === 'failed' && view.error?.message === IO_HTTP_UNREACHABLE_MESSAGE,
    );
    printFigure(
      `SSRF table through the real apps: ${urls.length} loopback spellings on the allowlist, ${failedUniformly.length} failed with the one refusal text, ${listeners.connections.length} connections reached the listeners`,
    );
    assert.equal(listeners.connections.length, 0, `connections: ${listeners.connections.join(', ')}`);
    assert.equal(failedUniformly.length, urls.length, JSON.stringify(views.map((view) => view.error)));
  } finally {
    await chaos.stop();
    await listeners.close();
  }
});
