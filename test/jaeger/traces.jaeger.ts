/**
 * One trace per job, read back from a REAL Jaeger (v2, built from the Go module proxy by
 * scripts/test-infra.mjs) through its own query API, as a user inspecting traces in Jaeger sees them.
 * The real api, io-consumer and one compute per execution model export over OTLP with each protocol
 * they support. What Jaeger decides here: whether the spans form one connected tree with the right
 * services, parents, kinds and links.
 * Run with `npm run test:jaeger` (it builds Jaeger first, once).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '@switchyard/polling';
import { MODEL_LANES, startE2eStack, type ComputeModel, type E2eStack } from '../helpers/e2e-stack';
import { startFlakyServer, type FlakyServer } from './support/flaky-server';
import { startJaeger, type JaegerServer } from './support/jaeger-server';
import { isError, kindOf, linksOf, parentOf, tag, type JaegerTrace } from './support/jaeger-trace';
import { assertSubmitTree, executeSpans, one, printTree, processSpans, traceOf } from './support/job-trace';
import { SPAN_NAMES } from './support/span-names';

const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
type Protocol = (typeof PROTOCOLS)[number];

describe('traces in a real Jaeger, read back through its query API', () => {
  let jaeger: JaegerServer;
  before(async () => {
    jaeger = await startJaeger();
  });
  after(async () => {
    await jaeger?.stop();
  });

  for (const protocol of PROTOCOLS) {
    describe(`exported over OTLP ${protocol}`, () => {
      let e2e: E2eStack;
      let flaky: FlakyServer;
      before(async () => {
        flaky = await startFlakyServer();
        e2e = await startE2eStack([], exportTo(jaeger, protocol, flaky));
      });
      after(async () => {
        await e2e?.stop();
        await flaky?.close();
      });

      const run = async (request: Parameters<E2eStack['client']['submit']>[0]) => {
        const accepted = await e2e.client.submit(request);
        return e2e.client.waitFor(accepted.id, 30_000, 100);
      };

      for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
        it(`cpu.primes under ${model}: request → publish → process → execute in the ${model === 'processes' ? 'child' : model === 'worker-threads' ? 'thread' : 'consumer'} that ran it`, async () => {
          const view = await run({
            task: 'cpu.primes',
            payload: { limit: 20_000 },
            lane: MODEL_LANES[model],
          });
          assert.equal(view.state, 'completed');
          const trace = await traceOf(jaeger, view);
          printTree(`${protocol}, ${model}`, trace);
          const execute = assertSubmitTree(trace, view, 'switchyard-compute');
          assert.equal(tag(execute, 'switchyard.execution.model'), model);
          const computePid = e2e.compute(model).pid;
          if (model === 'worker-threads') assert.notEqual(tag(execute, 'thread.id'), 0, 'a worker thread');
          if (model === 'processes') assert.notEqual(tag(execute, 'process.pid'), computePid, 'a pool child');
          if (model === 'inline') assert.equal(tag(execute, 'process.pid'), computePid);
        });
      }

      it('io.sleep runs on the io-consumer event loop, in the same trace', async () => {
        const view = await run({ task: 'io.sleep', payload: { ms: 5 } });
        const trace = await traceOf(jaeger, view);
        printTree(`${protocol}, event-loop`, trace);
        const execute = assertSubmitTree(trace, view, 'switchyard-io-consumer');
        assert.equal(tag(execute, 'switchyard.execution.model'), 'event-loop');
        assert.equal(tag(execute, 'process.pid'), e2e.service('io-consumer').pid);
      });

      if (protocol !== 'http/protobuf') return;

      it('a job that fails once and then succeeds shows both attempts in one trace', async () => {
        const view = await run({
          task: 'io.http',
          payload: { url: flaky.url, method: 'GET' },
          attempts: 3,
          backoff: { type: 'fixed', delayMs: 10 },
        });
        assert.equal(view.state, 'completed', JSON.stringify(view.error));
        assert.equal(view.attempts.made, 2, 'the first attempt failed (the server dropped the connection)');
        const trace = await traceOf(jaeger, view, 2);
        printTree(`${protocol}, retried job`, trace);
        const publish = one(
          trace.spans.filter((span) => kindOf(span) === 'producer'),
          'producer span',
        );
        const attempts = processSpans(trace, view.id).sort((a, b) => a.startTime - b.startTime);
        assert.equal(attempts.length, 2, 'one consumer span per attempt');
        for (const attempt of attempts) assert.equal(parentOf(attempt), publish.spanID);
        assert.deepEqual(
          attempts.map((attempt) => isError(attempt)),
          [true, false],
        );
        const executes = executeSpans(trace, view.id).sort((a, b) => a.startTime - b.startTime);
        assert.deepEqual(
          executes.map((span) => [
            tag(span, 'switchyard.attempt'),
            tag(span, 'switchyard.outcome'),
            parentOf(span),
          ]),
          [
            [1, 'failed', attempts[0].spanID],
            [2, 'completed', attempts[1].spanID],
          ],
        );
      });

      it('a batch request links to each job, each job trace linking back to it', async () => {
        const accepted = await e2e.client.submitBatch([
          { task: 'io.sleep', payload: { ms: 1 } },
          { task: 'cpu.primes', payload: { limit: 1000 } },
        ]);
        const views = await e2e.client.waitForAll(
          accepted.map((job) => job.id),
          { pollMs: 100 },
        );
        const traces = await Promise.all(views.map((view) => traceOf(jaeger, view)));
        assert.equal(new Set(views.map((view) => view.traceId)).size, 2, 'a trace per job');
        const roots = traces.map((trace, index) => {
          const root = one(
            trace.spans.filter((span) => parentOf(span) === undefined),
            'root span',
          );
          assert.equal(kindOf(root), 'producer');
          assert.equal(root.operationName, SPAN_NAMES.batchJob(views[index].lane, views[index].task));
          assert.equal(parentOf(one(processSpans(trace, views[index].id), 'consumer span')), root.spanID);
          return root;
        });
        const [batchLink] = linksOf(roots[0]);
        assert.ok(batchLink, 'the job links to the batch request');
        assert.notEqual(batchLink.traceID, views[0].traceId, 'which is in a trace of its own');
        assert.deepEqual(
          roots.map((root) => linksOf(root).map((link) => [link.traceID, link.spanID])),
          roots.map(() => [[batchLink.traceID, batchLink.spanID]]),
          'both jobs link to the same request span',
        );
        const batch = await pollUntil(() => jaeger.trace(batchLink.traceID), {
          timeoutMs: 10_000,
          intervalMs: 200,
        });
        printTree(`${protocol}, batch request`, batch);
        for (const [index, trace] of traces.entries())
          printTree(`${protocol}, batch job ${index + 1}`, trace);
        const request = one(
          batch.spans.filter((span) => span.spanID === batchLink.spanID),
          'batch request span',
        );
        assert.equal(request.operationName, SPAN_NAMES.batchRequest);
        assert.equal(kindOf(request), 'server');
        assert.equal(tag(request, 'switchyard.batch.size'), 2);
        assert.deepEqual(
          linksOf(request)
            .map((link) => `${link.traceID}/${link.spanID}`)
            .sort(),
          roots.map((root) => `${root.traceID}/${root.spanID}`).sort(),
          'the request links to each job',
        );
      });

      it('jobs submitted with a not-sampled traceparent (flags 00) never reach Jaeger, on any model', async () => {
        const unsampled = await Promise.all(
          ['io', ...Object.values(MODEL_LANES)].map(async (lane) => {
            const traceId = randomBytes(16).toString('hex');
            const response = await fetch(`${e2e.stack.apiUrl}/v1/jobs`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00`,
              },
              body: JSON.stringify(
                lane === 'io'
                  ? { task: 'io.sleep', payload: { ms: 1 } }
                  : { task: 'cpu.primes', payload: { limit: 100 }, lane },
              ),
            });
            assert.equal(response.status, 202);
            const { id } = (await response.json()) as { id: string };
            const view = await e2e.client.waitFor(id, 30_000, 100);
            assert.equal(view.state, 'completed');
            assert.equal(view.traceId, traceId, "the job joined the caller's (unsampled) trace");
            return view;
          }),
        );
        // Sampled jobs on the same lanes, run after them: once these are in Jaeger, the exporters have
        // sent everything the unsampled jobs could have produced.
        for (const lane of Object.values(MODEL_LANES))
          await traceOf(jaeger, await run({ task: 'cpu.primes', payload: { limit: 100 }, lane }));
        await traceOf(jaeger, await run({ task: 'io.sleep', payload: { ms: 1 } }));
        for (const view of unsampled)
          assert.equal(
            await jaeger.trace(view.traceId!),
            undefined,
            `trace ${view.traceId} (${view.lane}) is absent`,
          );
      });

      it('GET /v1/jobs/:id links to the trace in Jaeger, and the link resolves through its query API', async () => {
        const accepted = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 } });
        const view = await e2e.client.waitFor(accepted.id, 30_000, 100);
        await traceOf(jaeger, view);
        const link = (await e2e.client.get(view.id)).links.trace;
        assert.equal(link, `${jaeger.queryUrl}/trace/${view.traceId}`);
        const page = await fetch(link);
        assert.equal(page.status, 200, 'the UI answers the deep link');
        const linked = new URL(link);
        const traceId = linked.pathname.split('/').pop();
        const api = await fetch(new URL(`/api/traces/${traceId}`, linked.origin));
        assert.equal(api.status, 200);
        const { data } = (await api.json()) as { data: JaegerTrace[] };
        assert.equal(data[0].traceID, view.traceId);
        assert.ok(executeSpans(data[0], view.id).length === 1);
      });
    });
  }

  it('lists the services that exported', async () => {
    const services = await jaeger.services();
    for (const name of ['switchyard-api', 'switchyard-compute', 'switchyard-io-consumer'])
      assert.ok(services.includes(name), `${name} in ${services.join(', ')}`);
  });
});

function exportTo(jaeger: JaegerServer, protocol: Protocol, flaky: FlakyServer): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? jaeger.otlpGrpcUrl : jaeger.otlpHttpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    // Jaeger takes traces only; metrics are checked against the OTLP receiver in test/e2e.
    OTEL_METRICS_EXPORTER: 'none',
    JAEGER_UI_URL: jaeger.queryUrl,
    // io.http may reach the flaky server on loopback only because the test opens that one host:port.
    HTTP_ALLOWED_HOSTS: new URL(flaky.url).host,
    HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
  };
}
