import { randomUUID } from 'node:crypto';
import { SwitchyardClient, type JobRequest } from '@switchyard/client';
import { startLocalStack, type StackServiceSpec } from '@switchyard/local-stack';
import { OtlpReceiver } from '../test/helpers/otlp-receiver';
import { deletePrefix } from '../test/helpers/redis-cleanup';
import type { Measurement } from './bench-support';

export interface TracingCase {
  title: string;
  jobs: number;
  job: JobRequest;
  services: StackServiceSpec[];
}

/** Submits the case's jobs to a fresh stack of the real apps and returns jobs/s, first created → last finished. */
async function throughput(testCase: TracingCase, env: Record<string, string>): Promise<number> {
  const stack = await startLocalStack({
    prefix: `bench-${randomUUID()}`,
    env: { DIAGNOSTIC_TASKS: 'true', COMPLETED_RETENTION_COUNT: String(testCase.jobs * 2), ...env },
    services: [{ name: 'api', app: 'api' }, ...testCase.services],
  });
  try {
    const client = new SwitchyardClient(stack.apiUrl);
    await client.waitUntilDrained(await client.submitMany(Array.from({ length: 100 }, () => testCase.job)));
    const ids = await client.submitMany(Array.from({ length: testCase.jobs }, () => testCase.job));
    const views = await client.waitUntilDrained(ids, { timeoutMs: 300_000 });
    const first = Math.min(...views.map((view) => Date.parse(view.createdAt)));
    const last = Math.max(...views.map((view) => Date.parse(view.finishedAt ?? view.createdAt)));
    return (views.length * 1000) / (last - first);
  } finally {
    await stack.stop();
    await deletePrefix(stack.redisUrl, stack.prefix);
  }
}

/**
 * The real apps with tracing off (no endpoint: no exporter at all) against tracing on at 100 %
 * sampling, every span exported over OTLP (protobuf, then JSON) to a local receiver standing in for
 * Jaeger. The three alternate, each on a fresh stack.
 */
export async function tracingOverhead(testCase: TracingCase, repeat: number): Promise<Measurement[]> {
  const receiver = await OtlpReceiver.start();
  const tracing = (protocol: string) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  const off: number[] = [];
  const protobuf: number[] = [];
  const json: number[] = [];
  try {
    for (let index = 0; index < repeat; index++) {
      off.push(await throughput(testCase, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }));
      protobuf.push(await throughput(testCase, tracing('http/protobuf')));
      json.push(await throughput(testCase, tracing('http/json')));
    }
  } finally {
    await receiver.close();
  }
  return [
    { subject: 'tracing off', runs: off },
    { subject: 'tracing on, 100 % sampled, OTLP http/protobuf (the default)', runs: protobuf },
    { subject: 'tracing on, 100 % sampled, OTLP http/json', runs: json },
  ];
}
