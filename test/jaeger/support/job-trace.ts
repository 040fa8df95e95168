/**
 * Reading one job's trace back from Jaeger and checking the tree a single submit makes. Spans are found
 * by structure (kind, parent, the job id attributes); names are checked against SPAN_NAMES only.
 */
import assert from 'node:assert/strict';
import type { JobView } from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';
import type { JaegerServer } from './jaeger-server';
import {
  childrenOf,
  kindOf,
  parentOf,
  renderTree,
  serviceOf,
  tag,
  type JaegerSpan,
  type JaegerTrace,
} from './jaeger-trace';
import { SPAN_NAMES } from './span-names';

export const one = (spans: JaegerSpan[], what: string): JaegerSpan => {
  assert.equal(
    spans.length,
    1,
    `expected one ${what}, got [${spans.map((span) => span.operationName).join(', ')}]`,
  );
  return spans[0];
};
/** The consumer spans (one per attempt) of a job. */
export const processSpans = (trace: JaegerTrace, jobId: string) =>
  trace.spans.filter((span) => kindOf(span) === 'consumer' && tag(span, 'messaging.message.id') === jobId);
/** The execute spans (one per attempt) of a job. */
export const executeSpans = (trace: JaegerTrace, jobId: string) =>
  trace.spans.filter(
    (span) => tag(span, 'switchyard.job.id') === jobId && tag(span, 'switchyard.attempt') !== undefined,
  );

/** Waits until Jaeger holds the job's trace with one process and one execute span per attempt. */
export async function traceOf(jaeger: JaegerServer, view: JobView, attempts = 1): Promise<JaegerTrace> {
  assert.ok(view.traceId, `job ${view.id} reports its trace id`);
  let last: JaegerTrace | undefined;
  return pollUntil(
    async () => {
      last = await jaeger.trace(view.traceId!);
      return (
        last !== undefined &&
        processSpans(last, view.id).length >= attempts &&
        executeSpans(last, view.id).length >= attempts &&
        last
      );
    },
    {
      timeoutMs: 20_000,
      intervalMs: 200,
      onTimeout: () =>
        new Error(
          `Jaeger has no complete trace ${view.traceId} for job ${view.id}; it has:\n${last ? renderTree(last) : '(nothing)'}`,
        ),
    },
  );
}

/** The single-submit tree: server → publish → process → execute, returning the execute span. */
export function assertSubmitTree(trace: JaegerTrace, view: JobView, consumerService: string): JaegerSpan {
  const server = one(
    trace.spans.filter((span) => kindOf(span) === 'server'),
    'HTTP server span',
  );
  assert.equal(server.operationName, SPAN_NAMES.submitRequest);
  assert.equal(tag(server, 'http.route'), '/v1/jobs');
  assert.equal(parentOf(server), undefined, 'the request starts the trace');
  const publish = one(
    childrenOf(trace, server).filter((span) => kindOf(span) === 'producer'),
    'producer span under the request',
  );
  assert.equal(publish.operationName, SPAN_NAMES.publish(view.lane, view.task));
  const consumer = one(processSpans(trace, view.id), 'consumer span');
  assert.equal(consumer.operationName, SPAN_NAMES.process(view.lane));
  assert.equal(parentOf(consumer), publish.spanID, 'the attempt is a child of the publish');
  const execute = one(executeSpans(trace, view.id), 'execute span');
  assert.equal(execute.operationName, SPAN_NAMES.execute(view.task));
  assert.equal(parentOf(execute), consumer.spanID, 'execute is a child of the consumer span');
  assert.equal(serviceOf(trace, server), 'switchyard-api');
  assert.equal(serviceOf(trace, publish), 'switchyard-api');
  assert.equal(serviceOf(trace, consumer), consumerService);
  assert.equal(serviceOf(trace, execute), consumerService);
  assert.deepEqual(
    new Set(trace.spans.map((span) => serviceOf(trace, span))),
    new Set(['switchyard-api', consumerService]),
  );
  assert.equal(
    tag(execute, 'process.pid'),
    view.execution?.pid,
    'the span names the process that ran the job',
  );
  assert.equal(tag(execute, 'thread.id'), view.execution?.threadId, 'and its thread');
  assert.equal(tag(execute, 'switchyard.outcome'), 'completed');
  return execute;
}

/** Prints the tree as read back from Jaeger, in the test output. */
export function printTree(title: string, trace: JaegerTrace): void {
  process.stdout.write(
    `\nspan tree read back from Jaeger (${title}):\n${renderTree(trace).replace(/^/gm, '  ')}\n`,
  );
}
