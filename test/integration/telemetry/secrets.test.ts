/**
 * Nothing a client sends leaves the process: a fixture process puts a canary in every place a
 * client controls (see `fixtures/secrets-fixture.ts`) and exports through the real SDK to a local
 * OTLP receiver; the canary must be in no span, no metric and no log line, while the spans,
 * series and lines themselves are still there and still useful.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver';
import { runNodeFixture, type FixtureRun } from '../../helpers/run-node-fixture';
import { OtlpTap } from '../../e2e/secrets/otlp-tap';

interface SecretsFixtureResult {
  okJobId: string;
  failJobId: string;
  serverSawUserAgent: string;
  okResult: { etag: string };
  prometheus: string;
}

const FIXTURE = path.join(__dirname, 'fixtures', 'secrets-fixture.js');
const ERROR = 2;

const json = (value: unknown) =>
  JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item));

describe('secrets stay inside: spans, metrics and logs carry ids and names only', () => {
  const canary = `canary-${randomUUID()}`;
  let receiver: OtlpReceiver;
  let tap: OtlpTap;
  let run: FixtureRun<SecretsFixtureResult>;
  let spans: ReceivedSpan[];

  const jobSpan = (name: string, jobId: string) =>
    spans.find(
      (span) =>
        span.name === name &&
        (span.attributes['messaging.message.id'] === jobId || span.attributes['switchyard.job.id'] === jobId),
    );

  before(async () => {
    receiver = await OtlpReceiver.start();
    tap = await OtlpTap.start(receiver.endpoint);
    run = await runNodeFixture<SecretsFixtureResult>(FIXTURE, {
      CANARY: canary,
      OTEL_EXPORTER_OTLP_ENDPOINT: tap.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'trace',
    });
    spans = await receiver.waitForSpans(
      (received) => received.filter((span) => span.name.startsWith('execute ')).length >= 2,
    );
  });

  after(async () => {
    await tap.close();
    await receiver.close();
  });

  it('the canary really went in: the server, the job and its result had it', () => {
    assert.equal(run.result.serverSawUserAgent, canary);
    assert.equal(run.result.okResult.etag, `"${canary}"`);
  });

  it('is in no exported span: attributes, events, links, status, trace state or resource', () => {
    assert.ok(spans.length >= 8, `spans were exported: ${spans.map((span) => span.name).join(', ')}`);
    for (const span of spans)
      assert.ok(!json(span).includes(canary), `${span.name} carries it: ${json(span)}`);
    // Also what the receiver does not decode, such as the W3C trace state a client sent.
    for (const exported of tap.exports())
      assert.ok(!exported.body.includes(canary), `${exported.path} carries it`);
  });

  it('keeps a Redis span to the command name and its number of arguments', () => {
    const redis = spans.filter((span) => span.scope.includes('ioredis'));
    const texts = new Set(redis.map((span) => span.attributes['db.query.text']));
    assert.ok(texts.has('set [4 args]'), `the idempotency key's set: ${[...texts].join(' | ')}`);
    for (const text of texts)
      assert.ok(typeof text === 'string' && /^[a-z]+( \[\d+ args\])?$/.test(text), String(text));
    assert.ok(
      [...texts].some((text) => String(text).startsWith('evalsha [')),
      'the job was added by a script',
    );
  });

  it('keeps the HTTP server span to its route template and protocol facts', () => {
    const server = spans.find((span) => span.kind === 2);
    assert.ok(server);
    assert.equal(server.name, 'POST /v1/jobs/:id');
    assert.equal(server.attributes['http.route'], '/v1/jobs/:id');
    assert.equal(server.attributes['http.response.status_code'], 200);
    for (const gone of ['url.path', 'url.query', 'user_agent.original', 'client.address', 'server.address']) {
      assert.equal(server.attributes[gone], undefined, gone);
    }
  });

  it("keeps a job's result and failed reason off its consumer span, which still says it failed", () => {
    const completed = jobSpan('process io', run.result.okJobId);
    assert.ok(completed, 'the completed attempt has its consumer span');
    assert.deepEqual(completed.events, [], 'BullMQ’s `job completed` event (the result) is not recorded');
    assert.equal(completed.attributes['bullmq.job.result'], undefined);
    const failed = jobSpan('process io', run.result.failJobId);
    assert.equal(failed?.status.code, ERROR);
    assert.equal(failed?.status.message, undefined);
    assert.ok(failed?.events.some((candidate) => candidate.name === 'job failed'));
  });

  it('names a failed execute span’s error by type and keeps its frames, not its text', () => {
    const execute = jobSpan('execute io.fail', run.result.failJobId);
    assert.equal(execute?.status.code, ERROR);
    assert.equal(execute?.status.message, 'Error');
    const exception = execute?.events.find((event) => event.name === 'exception');
    assert.equal(exception?.attributes['exception.type'], 'Error');
    assert.equal(exception?.attributes['exception.message'], undefined);
    const stack = String(exception?.attributes['exception.stacktrace']);
    assert.match(stack, /^Error\n\s+at .*secrets-fixture\.js/, 'the frames say where it was thrown');
  });

  it('is in no metric; an unknown task name is labelled unknown and a stray attribute dropped', () => {
    const { prometheus } = run.result;
    assert.ok(!prometheus.includes(canary), 'a /metrics scrape carries it');
    assert.match(prometheus, /switchyard_jobs_submitted_total\{[^}]*switchyard_task="unknown"/);
    assert.match(prometheus, /switchyard_jobs_submitted_total\{[^}]*switchyard_task="io\.echo"/);
    assert.match(prometheus, /fixture_requests_total\{[^}]*http_route="\/v1\/jobs\/:id"/);
    assert.doesNotMatch(prometheus, /url_full/);
    const pushed = receiver.metrics();
    assert.ok(
      pushed.some((metric) => metric.name === 'switchyard.jobs.submitted'),
      'metrics were pushed',
    );
    assert.ok(!json(pushed).includes(canary), 'an OTLP metric carries it');
  });

  it('is in no log line; an error is logged by its type and frames, our own with their text', () => {
    for (const line of run.logLines) assert.ok(!json(line).includes(canary), `logged: ${json(line)}`);
    const failed = run.logLines.find((line) => line.msg === 'job failed');
    assert.deepEqual(Object.keys((failed?.error ?? {}) as object).sort(), ['stack', 'type']);
    const ours = run.logLines.find((line) => line.msg === 'job timeout');
    assert.equal(
      (ours?.error as { message?: string } | undefined)?.message,
      'job exceeded its timeout of 1000 ms and was aborted',
    );
  });
});
