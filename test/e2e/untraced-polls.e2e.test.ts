/**
 * Polling reads open no traces: a client that polls a job, waits on it, follows its events or pages the
 * list leaves nothing in Jaeger, which shows jobs, not polls. Submissions, cancels and retries stay
 * traced. The real api exports over OTLP/HTTP to the local receiver that stands in for Jaeger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OtlpReceiver } from '../helpers/otlp-receiver';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { openEventStream } from './operator/sse-client';

/** OTLP's SpanKind SERVER. */
const SERVER = 2;

describe('polling reads are not traced; submissions, cancels and retries are', () => {
  let receiver: OtlpReceiver;
  let e2e: E2eStack;

  before(async () => {
    receiver = await OtlpReceiver.start();
    e2e = await startE2eStack([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  after(async () => {
    await e2e?.stop();
    await receiver?.close();
  });

  it('GET /v1/jobs/:id (with and without waitMs), its events and the list leave no span', async () => {
    const api = e2e.stack.apiUrl;
    const job = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 300 } });
    const events = await openEventStream(`${api}/v1/jobs/${job.id}/events`);
    for (let poll = 0; poll < 5; poll++) await e2e.client.get(job.id);
    assert.equal((await fetch(`${api}/v1/jobs/${job.id}?waitMs=10000`)).status, 200);
    assert.equal((await fetch(`${api}/v1/jobs?state=completed`)).status, 200);
    await events.ended;
    assert.equal(events.events.at(-1)?.event, 'completed');

    const cancelled = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 60_000 }, delayMs: 60_000 });
    await e2e.client.cancel(cancelled.id);
    const retry = await fetch(`${api}/v1/jobs/${cancelled.id}/retry`, { method: 'POST' });
    assert.equal(retry.status, 202);
    const retried = (await retry.json()) as { id: string };
    await e2e.client.cancel(retried.id);
    // The last traced request: once its span is in, every poll's span (had there been one) is too.
    const marker = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 } });
    // Its api server span, not the consumer's spans (another process, another export): the api exports in
    // the order its spans end, so the earlier requests' spans are in by then.
    await receiver.waitForSpans((spans) =>
      spans.some(
        (span) =>
          span.traceId === marker.traceId &&
          span.kind === SERVER &&
          span.resource['service.name'] === 'switchyard-api',
      ),
    );

    const apiSpans = receiver.spans().filter((span) => span.resource['service.name'] === 'switchyard-api');
    const servers = apiSpans.filter((span) => span.kind === SERVER);
    const names = servers.map((span) => span.name);
    assert.ok(!names.some((name) => name.startsWith('GET')), `a poll was traced: ${names.join(', ')}`);
    for (const expected of ['POST /v1/jobs', 'DELETE /v1/jobs/:id', 'POST /v1/jobs/:id/retry']) {
      assert.ok(names.includes(expected), `${expected} is not traced: ${names.join(', ')}`);
    }
    // No span of the api's is left outside a traced request: the polls started no trace of their own.
    const requestTraces = new Set(servers.map((span) => span.traceId));
    const strays = apiSpans.filter((span) => !requestTraces.has(span.traceId)).map((span) => span.name);
    assert.deepEqual(strays, [], 'spans in traces no request started');
  });
});
