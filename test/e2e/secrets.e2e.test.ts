/**
 * Secrets stay inside, across the real api, io-consumer and compute processes (issue 8, point 6).
 * A client puts a unique canary everywhere it can: `io.http` URLs' query strings, request headers
 * (`authorization`, `cookie`, `x-api-key`) and bodies, `cpu.hash` inputs under every execution
 * model, a batch, an `Idempotency-Key`, a `tracestate` and `baggage`, and the api request itself
 * (path, query, User-Agent, Host, X-Forwarded-For, Authorization, an unknown task name, an invalid
 * payload, broken JSON).
 * Jobs run for real (`io.http` against a listener on 127.0.0.1) and one fails on its own request
 * timeout. Then the canary must be in no byte any service exported over OTLP (spans and metrics,
 * read at a tap before the receiver), in no consumer `/metrics` scrape and in no log line of any
 * service, while the upstream and the job's owner show that it really went through.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobAccepted, JobView } from '@switchyard/contracts';
import { OtlpReceiver } from '../helpers/otlp-receiver';
import { eventually, MODEL_LANES, startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { OtlpTap } from './secrets/otlp-tap';
import { rawRequest } from './secrets/raw-request';
import { startUpstream, type Upstream } from './secrets/upstream';

const SERVICES = ['switchyard-api', 'switchyard-io-consumer', 'switchyard-compute'];

describe('nothing a client sends reaches spans, metrics or logs', () => {
  const canary = `canary-${randomUUID()}`;
  let upstream: Upstream;
  let receiver: OtlpReceiver;
  let tap: OtlpTap;
  let e2e: E2eStack;
  let stopped = false;
  const views = new Map<string, JobView>();
  const consumerScrapes: string[] = [];
  let catalog: Set<string>;

  const secretHeaders = {
    authorization: `Bearer ${canary}`,
    cookie: `session=${canary}`,
    'x-api-key': canary,
    'x-request-note': canary,
  };
  const echo = (method: 'GET' | 'POST') => ({
    task: 'io.http',
    payload: {
      url: `${upstream.url}/echo?token=${canary}`,
      method,
      headers: secretHeaders,
      ...(method === 'POST' ? { body: JSON.stringify({ secret: canary }) } : {}),
    },
  });
  const hash = (lane: string) => ({ task: 'cpu.hash', payload: { input: canary, rounds: 1000 }, lane });
  const view = (name: string) => views.get(name) as JobView;
  /** A client may send its own trace context; `tracestate` and `baggage` are free text. */
  const traceHeaders = {
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    tracestate: `vendor=${canary}`,
    baggage: `secret=${canary}`,
  };

  /** Jobs that run; each view is kept under its name once the job finished. */
  async function runJobs(): Promise<void> {
    const accepted = new Map<string, JobAccepted>([
      ['echo', await e2e.client.submit(echo('GET'), { 'idempotency-key': canary, ...traceHeaders })],
      ['post', await e2e.client.submit(echo('POST'))],
      [
        'hang',
        await e2e.client.submit({
          task: 'io.http',
          payload: { url: `${upstream.url}/hang?token=${canary}`, headers: secretHeaders, timeoutMs: 300 },
        }),
      ],
    ]);
    for (const [model, lane] of Object.entries(MODEL_LANES)) {
      accepted.set(`hash ${model}`, await e2e.client.submit(hash(lane)));
    }
    const batch = await e2e.client.submitBatch([echo('GET'), hash(MODEL_LANES['worker-threads'])]);
    batch.forEach((job, index) => accepted.set(`batch ${index}`, job));
    for (const [name, job] of accepted) views.set(name, await e2e.client.waitFor(job.id, 60_000, 100));
  }

  /** Requests the api refuses, each with the canary wherever a client can put it. */
  async function sendRefusedRequests(): Promise<number[]> {
    const headers = {
      host: `${canary}.example`,
      'user-agent': canary,
      'x-forwarded-for': `203.0.113.7, ${canary}`,
      authorization: `Bearer ${canary}`,
      'idempotency-key': canary,
      'content-type': 'application/json',
      ...traceHeaders,
    };
    const api = e2e.stack.apiUrl;
    const send = (method: string, target: string, body?: unknown) =>
      rawRequest(api, method, target, headers, typeof body === 'string' ? body : JSON.stringify(body));
    const answers = [
      await send('GET', `/v1/jobs/${canary}?token=${canary}`),
      await send('DELETE', `/v1/jobs/${canary}`),
      await send('GET', `/v1/jobs?task=${canary}&cursor=${canary}`),
      await send('POST', '/v1/jobs', { task: canary, payload: { secret: canary } }),
      await send('POST', '/v1/jobs', { task: 'io.http', payload: { url: canary } }),
      await send('POST', `/v1/jobs?token=${canary}`, `{"task":"cpu.hash","payload":{"input":"${canary}`),
      await send('POST', '/v1/jobs/batch', { jobs: [{ task: canary }] }),
    ];
    return answers.map((answer) => answer.status);
  }

  /** Every job's execute span arrived, and each service pushed its job series since. */
  async function waitForExports(): Promise<void> {
    await receiver.waitForSpans(
      (spans) =>
        [...views.values()].every((job) =>
          spans.some(
            (span) => span.name.startsWith('execute ') && span.attributes['switchyard.job.id'] === job.id,
          ),
        ),
      30_000,
    );
    await eventually(
      () =>
        SERVICES.every((service) =>
          receiver
            .metrics()
            .some(
              (metric) =>
                metric.resource['service.name'] === service &&
                metric.name ===
                  (service === 'switchyard-api'
                    ? 'switchyard.jobs.submitted'
                    : 'switchyard.job.run.duration'),
            ),
        ),
      'every service to push its job metrics',
      30_000,
    );
  }

  before(async () => {
    upstream = await startUpstream();
    receiver = await OtlpReceiver.start();
    tap = await OtlpTap.start(receiver.endpoint);
    e2e = await startE2eStack([], {
      AUTH: 'none',
      LOG_LEVEL: 'trace',
      OTEL_EXPORTER_OTLP_ENDPOINT: tap.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      // `host:port` is the allowlist's format once the SSRF work lands (the plain host is what
      // today's name-only check matches, and means ports 80/443 after it); loopback must then
      // also be allowed as a range.
      HTTP_ALLOWED_HOSTS: `127.0.0.1:${upstream.port},127.0.0.1`,
      HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
    });
    await runJobs();
    const refused = await sendRefusedRequests();
    assert.ok(
      refused.every((status) => status >= 400 && status < 500),
      `the api refused each request: ${refused.join(', ')}`,
    );
    await waitForExports();
    catalog = new Set(await e2e.client.taskNames());
    for (const name of ['io-consumer', ...Object.keys(MODEL_LANES).map((model) => `compute-${model}`)]) {
      consumerScrapes.push(await (await fetch(`${e2e.service(name).baseUrl}/metrics`)).text());
    }
    // Stopping flushes every exporter and finishes every log file.
    await e2e.stop();
    stopped = true;
  });

  after(async () => {
    if (!stopped) await e2e?.stop();
    await tap?.close();
    await receiver?.close();
    await upstream?.close();
  });

  it('the canary really went through: the upstream received it and the owner sees it in the result', () => {
    const got = upstream.requests();
    assert.ok(
      got.some((request) => request.url.includes(canary)),
      'in the query string',
    );
    assert.ok(
      got.some((request) => request.headers.authorization === `Bearer ${canary}`),
      'in a header',
    );
    assert.ok(
      got.some((request) => request.body.includes(canary)),
      'in a body',
    );
    const completed = view('echo');
    assert.equal(completed.state, 'completed', JSON.stringify(completed));
    assert.deepEqual((completed.result as { headers: Record<string, string> }).headers.etag, `"${canary}"`);
    assert.equal(view('hang').state, 'failed');
    for (const model of Object.keys(MODEL_LANES)) assert.equal(view(`hash ${model}`).state, 'completed');
    assert.equal(view('batch 0').state, 'completed');
  });

  it('is in no span any service exported, while every job kept its trace', () => {
    const traces = tap.exports().filter((exported) => exported.path === '/v1/traces');
    assert.ok(traces.length > 0);
    for (const exported of traces)
      assert.ok(!exported.body.includes(canary), 'an exported span carries the canary');
    const spans = receiver.spans();
    for (const job of views.values()) {
      const trace = spans.filter((span) => span.traceId === job.traceId);
      const names = trace.map((span) => span.name);
      assert.ok(names.includes(`process ${job.lane}`), `${job.id}: ${names.join(', ')}`);
      assert.ok(names.includes(`execute ${job.task}`), `${job.id}: ${names.join(', ')}`);
    }
    const redis = spans.filter((span) => span.scope.includes('ioredis'));
    assert.ok(redis.length > 0, 'the api exported Redis command spans');
    for (const span of redis) {
      const text = span.attributes['db.query.text'];
      assert.ok(
        typeof text === 'string' && /^[a-z]+( \[\d+ args\])?$/.test(text),
        `${span.name}: ${String(text)}`,
      );
    }
  });

  it('is in no metric, pushed or scraped; task labels are catalog names only', async () => {
    const pushed = tap.exports().filter((exported) => exported.path === '/v1/metrics');
    assert.ok(pushed.length > 0);
    for (const exported of pushed)
      assert.ok(!exported.body.includes(canary), 'a pushed metric carries the canary');
    for (const text of consumerScrapes)
      assert.ok(!text.includes(canary), 'a /metrics scrape carries the canary');
    const labelled = new Set(
      receiver
        .metrics()
        .flatMap((metric) => metric.points.map((point) => point.attributes['switchyard.task']))
        .filter((task) => task !== undefined),
    );
    assert.ok(labelled.has('io.http') && labelled.has('cpu.hash'), [...labelled].join(', '));
    for (const task of labelled) assert.ok(catalog.has(String(task)), `task label ${String(task)}`);
  });

  it('is in no log line of any service; a failed attempt is logged by its error type', () => {
    const logDir = path.join(os.tmpdir(), e2e.stack.prefix);
    const files = readdirSync(logDir).filter((file) => file.endsWith('.log'));
    assert.ok(files.length >= 5, `a log per service: ${files.join(', ')}`);
    const lines = files.flatMap((file) =>
      readFileSync(path.join(logDir, file), 'utf8')
        .split('\n')
        .map((line) => ({ file, line })),
    );
    for (const { file, line } of lines) assert.ok(!line.includes(canary), `${file}: ${line}`);
    const failed = lines
      .filter(({ line }) => line.startsWith('{'))
      .map(({ line }) => JSON.parse(line) as { jobId?: string; outcome?: string; error?: { type?: string } })
      .find((entry) => entry.jobId === view('hang').id);
    assert.equal(failed?.outcome, 'failed');
    assert.equal(typeof failed?.error?.type, 'string');
  });
});
