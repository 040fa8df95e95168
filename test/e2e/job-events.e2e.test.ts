import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { eventually, startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { callAs, type TestKey } from './operator/keyed-api';
import { openEventStream, type EventStream } from './operator/sse-client';
import { startUpstream, type Upstream } from './secrets/upstream';

/**
 * Live job events (`GET /v1/jobs/:id/events`, Server-Sent Events) and waiting reads (`?waitMs=`)
 * against the real api and consumers, with API keys: a client learns a job's progress and end
 * without polling, only for its own tenant's jobs, and an api holds a bounded number of them.
 */
const KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  bob: createApiKey('tenant-b', ['jobs:write', 'jobs:read']),
  writer: createApiKey('tenant-a', ['jobs:write']),
  admin: createApiKey('ops', ['admin']),
};
/** Streams plus waiting reads one api holds at once in this stack. */
const WATCHES_MAX = 3;

describe('job events over SSE and waiting reads (real apps, AUTH=keys)', () => {
  let e2e: E2eStack;
  let upstream: Upstream;
  const call = (key: TestKey | undefined, method: string, path: string, body?: unknown) =>
    callAs(e2e.stack.apiUrl, key, method, path, body);
  const submit = async (key: TestKey, request: unknown): Promise<string> => {
    const accepted = await call(key, 'POST', '/v1/jobs', request);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    return accepted.body.id as string;
  };
  const stream = (key: TestKey | undefined, id: string, headers: Record<string, string> = {}) =>
    openEventStream(`${e2e.stack.apiUrl}/v1/jobs/${id}/events`, {
      ...(key ? { authorization: `Bearer ${key.key}` } : {}),
      ...headers,
    });
  const endOf = async (events: EventStream, what: string, timeoutMs = 30_000): Promise<void> => {
    const timer = setTimeout(() => events.abort(), timeoutMs);
    await events.ended;
    clearTimeout(timer);
    assert.ok(
      events.events.some((event) => ['completed', 'failed', 'cancelled'].includes(event.event)),
      `${what}: the stream ended without a final event: ${events.raw().slice(0, 2000)}`,
    );
  };
  const dataOf = (events: EventStream) => events.events.map((event) => JSON.parse(event.data));

  before(async () => {
    upstream = await startUpstream();
    e2e = await startE2eStack([], {
      AUTH: 'keys',
      API_KEYS: Object.values(KEYS)
        .map(({ entry }) => entry)
        .join(','),
      JOB_WATCHES_MAX: String(WATCHES_MAX),
      HTTP_ALLOWED_HOSTS: `127.0.0.1:${upstream.port}`,
      HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
    });
  });
  after(async () => {
    await e2e?.stop();
    await upstream?.close();
  });

  it("streams a job's state, progress and final result, then ends the stream", async () => {
    const id = await submit(KEYS.alice, { task: 'diag.spin', payload: { ms: 1_500 }, lane: 'cpu' });
    const events = await stream(KEYS.alice, id);
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(events.headers.get('cache-control'), 'no-cache, no-transform');
    await endOf(events, 'diag.spin');
    const names = events.events.map((event) => event.event);
    assert.equal(names[0], 'state', names.join(','));
    assert.equal(names.at(-1), 'completed', names.join(','));
    assert.equal(names.filter((name) => name === 'completed').length, 1);
    assert.ok(names.includes('progress'), `no progress event: ${names.join(',')}`);
    const views = dataOf(events);
    assert.ok(views.every((view) => view.id === id && view.tenant === 'tenant-a'));
    const progress = views.filter((_, index) => names[index] === 'progress').map((view) => view.progress);
    assert.ok(
      progress.some((percent) => percent > 0 && percent < 100),
      `progress: ${progress.join(',')}`,
    );
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only goes up',
    );
    const final = views.at(-1);
    assert.equal(final.state, 'completed');
    assert.equal(final.progress, 100);
    assert.ok(final.result, 'the final event carries the result');
    assert.deepEqual(
      events.events.map((event) => Number(event.id)),
      events.events.map((_, index) => index + 1),
      'event ids count up',
    );
  });

  it('a failed job ends its stream with the error; a cancel, while running or before, ends it with cancelled', async () => {
    const failing = await submit(KEYS.alice, { task: 'diag.crash', payload: { mode: 'throw' }, lane: 'cpu' });
    const failed = await stream(KEYS.alice, failing);
    await endOf(failed, 'diag.crash');
    assert.equal(failed.events.at(-1)?.event, 'failed');
    const view = dataOf(failed).at(-1);
    assert.equal(view.error.name, 'DiagnosticCrashError');
    assert.equal(view.attempts.made, 1);

    const sleeping = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 60_000 } });
    const cancelled = await stream(KEYS.alice, sleeping);
    await eventually(
      () => dataOf(cancelled).some((view) => view.state === 'active'),
      'an active state event',
      20_000,
    );
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${sleeping}`)).status, 200);
    await endOf(cancelled, 'cancelled io.sleep');
    assert.equal(cancelled.events.at(-1)?.event, 'cancelled');
    assert.equal(dataOf(cancelled).at(-1).state, 'cancelled');

    // Cancelled before it ran: taken out of its lane, and still a final event.
    const delayed = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 1 }, delayMs: 60_000 });
    const removed = await stream(KEYS.alice, delayed);
    await eventually(() => removed.events.length > 0, 'the first event');
    assert.equal(dataOf(removed)[0].state, 'delayed');
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${delayed}`)).status, 200);
    await endOf(removed, 'cancelled delayed io.sleep');
    assert.deepEqual(
      removed.events.map((event) => event.event),
      ['state', 'cancelled'],
    );
  });

  it('a job that already ended gets its final event at once; a reconnect to it gets 204', async () => {
    const id = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 1 } });
    await eventually(
      async () => (await call(KEYS.alice, 'GET', `/v1/jobs/${id}`)).body.state === 'completed',
      'io.sleep to complete',
    );
    const events = await stream(KEYS.alice, id);
    await endOf(events, 'an ended job', 5_000);
    assert.deepEqual(
      events.events.map((event) => event.event),
      ['completed'],
    );
    const reconnect = await stream(KEYS.alice, id, { 'last-event-id': '1' });
    assert.equal(reconnect.status, 204, 'EventSource stops reconnecting on 204');
  });

  it("payload secrets stay redacted in events, as in the job's view", async () => {
    const canary = `canary-${randomUUID()}`;
    const id = await submit(KEYS.alice, {
      task: 'io.http',
      payload: {
        url: `${upstream.url}/echo?token=x`,
        method: 'GET',
        headers: { authorization: `Bearer ${canary}`, 'x-api-key': canary },
      },
    });
    const events = await stream(KEYS.alice, id);
    await endOf(events, 'io.http');
    assert.equal(events.events.at(-1)?.event, 'completed', events.raw());
    assert.ok(
      upstream.requests().some((request) => request.headers['x-api-key'] === canary),
      'the secret did travel',
    );
    assert.ok(!events.raw().includes(canary), 'a secret in an event');
    const view = await call(KEYS.alice, 'GET', `/v1/jobs/${id}`);
    assert.deepEqual(dataOf(events).at(-1).payload, view.body.payload);
  });

  it("another tenant's job is 404 as in GET /v1/jobs/:id; jobs:read is needed; no key is 401", async () => {
    const id = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 1 } });
    const bobs = await stream(KEYS.bob, id);
    await bobs.ended;
    assert.equal(bobs.status, 404);
    const problem = JSON.parse(bobs.raw());
    assert.equal(problem.status, 404);
    assert.equal(problem.detail, (await call(KEYS.bob, 'GET', `/v1/jobs/${id}`)).body.detail);
    const writers = await stream(KEYS.writer, id);
    await writers.ended;
    assert.equal(writers.status, 403);
    assert.match(JSON.parse(writers.raw()).detail, /jobs:read/);
    const nobodys = await stream(undefined, id);
    await nobodys.ended;
    assert.equal(nobodys.status, 401);
    const unknown = await stream(KEYS.alice, randomUUID());
    await unknown.ended;
    assert.equal(unknown.status, 404);
    const admins = await stream(KEYS.admin, id);
    await endOf(admins, "the admin's stream");
  });

  it('past JOB_WATCHES_MAX streams: 503 with Retry-After; streams whose client left free their place', async () => {
    const ids = await Promise.all(
      Array.from({ length: WATCHES_MAX + 1 }, () =>
        submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 60_000 } }),
      ),
    );
    const open = await Promise.all(ids.slice(0, WATCHES_MAX).map((id) => stream(KEYS.alice, id)));
    assert.deepEqual(
      open.map((events) => events.status),
      open.map(() => 200),
    );
    const refused = await stream(KEYS.alice, ids[WATCHES_MAX]);
    await refused.ended;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(JSON.parse(refused.raw()).detail, /JOB_WATCHES_MAX/);
    const waiting = await call(KEYS.alice, 'GET', `/v1/jobs/${ids[0]}?waitMs=100`);
    assert.equal(waiting.status, 503, 'a waiting read takes a place too');

    for (const events of open) events.abort();
    // Each place comes back once the api saw its client go: all of them, again and again.
    for (let round = 0; round < 2; round++) {
      const again = await eventually(
        async () => {
          const streams = await Promise.all(ids.slice(0, WATCHES_MAX).map((id) => stream(KEYS.alice, id)));
          if (streams.every((events) => events.status === 200)) return streams;
          for (const events of streams) events.abort();
          return undefined;
        },
        `${WATCHES_MAX} streams after the clients left (round ${round + 1})`,
      );
      for (const events of again) events.abort();
    }
    await Promise.all(ids.map((id) => call(KEYS.alice, 'DELETE', `/v1/jobs/${id}`)));
  });

  it('a quiet stream gets a keep-alive comment every 15 s, and stays open', async () => {
    const id = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 60_000 } });
    const events = await stream(KEYS.alice, id);
    await eventually(() => events.comments >= 1, 'a keep-alive comment', 20_000);
    assert.match(events.raw(), /^: keep-alive$/m);
    assert.ok(!events.events.some((event) => event.event === 'completed'));
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${id}`)).status, 200);
    await endOf(events, 'the cancelled sleep');
  });

  it('GET /v1/jobs/:id?waitMs answers when the job ends, or when the wait is over', async () => {
    const quick = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 300 } });
    const ended = await call(KEYS.alice, 'GET', `/v1/jobs/${quick}?waitMs=20000`);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.state, 'completed', 'answered with the end, not before it');
    assert.deepEqual(ended.body.result, { sleptMs: 300 });

    const slow = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 60_000 } });
    const started = Date.now();
    const unfinished = await call(KEYS.alice, 'GET', `/v1/jobs/${slow}?waitMs=500`);
    assert.equal(unfinished.status, 200);
    assert.ok(['waiting', 'active'].includes(unfinished.body.state), unfinished.body.state);
    assert.ok(Date.now() - started >= 450, 'it waited');

    const cancelling = call(KEYS.alice, 'GET', `/v1/jobs/${slow}?waitMs=30000`);
    await call(KEYS.alice, 'DELETE', `/v1/jobs/${slow}`);
    assert.equal((await cancelling).body.state, 'cancelled');

    assert.equal((await call(KEYS.bob, 'GET', `/v1/jobs/${slow}?waitMs=1000`)).status, 404);
    for (const bad of ['-1', '30001', 'soon', '1.5', '']) {
      const refused = await call(KEYS.alice, 'GET', `/v1/jobs/${slow}?waitMs=${bad}`);
      if (bad === '') {
        assert.equal(refused.status, 200, 'an empty waitMs is no wait');
        continue;
      }
      assert.equal(refused.status, 400, `waitMs=${bad}`);
      assert.match(refused.body.detail, /waitMs must be an integer from 0 to 30000/);
      assert.deepEqual(refused.body.errors[0].path, 'waitMs');
    }
  });
});
