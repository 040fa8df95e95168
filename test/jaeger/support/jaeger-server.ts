/**
 * A real Jaeger v2 (all-in-one, in-memory storage) on private loopback ports: OTLP in over gRPC and
 * HTTP, its query API out. Built by scripts/test-infra.mjs; its UI is a placeholder page (the
 * module-proxy build embeds no UI assets), its query API is the real one the UI calls.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@switchyard/local-stack';
import { infraTool, InfraProcess } from './infra-binary';
import type { JaegerTrace } from './jaeger-trace';

export interface JaegerServer {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT` for `http/protobuf` and `http/json`). */
  otlpHttpUrl: string;
  /** OTLP/gRPC URL (`OTEL_EXPORTER_OTLP_ENDPOINT` for `grpc`). */
  otlpGrpcUrl: string;
  /** Query API and UI base URL (what `JAEGER_UI_URL` points at). */
  queryUrl: string;
  logFile: string;
  /** `GET /api/services`. */
  services(): Promise<string[]>;
  /** `GET /api/traces/<id>`: the trace, or undefined while Jaeger does not have it (404). */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  stop(): Promise<void>;
}

/** Only what the tests use: OTLP receivers, memory storage, the query extension; no self-metrics port. */
function configYaml(ports: { grpc: number; http: number; query: number; queryGrpc: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${ports.grpc}
      http:
        endpoint: 127.0.0.1:${ports.http}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

interface JaegerResponse<T> {
  data: T | null;
  errors: { code: number; msg: string }[] | null;
}

export async function startJaeger(): Promise<JaegerServer> {
  const tool = await infraTool('jaeger');
  if (!('path' in tool)) throw new Error(`no Jaeger binary: ${tool.reason}`);
  const ports = {
    grpc: await freePort(),
    http: await freePort(),
    query: await freePort(),
    queryGrpc: await freePort(),
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-jaeger-'));
  const configFile = path.join(dir, 'jaeger.yaml');
  writeFileSync(configFile, configYaml(ports));
  const logFile = path.join(dir, 'jaeger.log');
  const jaeger = InfraProcess.start('jaeger', tool.path, ['--config', `file:${configFile}`], logFile);
  const queryUrl = `http://127.0.0.1:${ports.query}`;

  const get = async <T>(apiPath: string): Promise<{ status: number; body?: JaegerResponse<T> }> => {
    const response = await fetch(`${queryUrl}${apiPath}`);
    if (!response.ok) return { status: response.status };
    return { status: response.status, body: (await response.json()) as JaegerResponse<T> };
  };
  const services = async () => (await get<string[]>('/api/services')).body?.data ?? [];
  await jaeger.waitUntil(async () => (await get<string[]>('/api/services')).status === 200, 30_000);
  return {
    otlpHttpUrl: `http://127.0.0.1:${ports.http}`,
    otlpGrpcUrl: `http://127.0.0.1:${ports.grpc}`,
    queryUrl,
    logFile,
    services,
    trace: async (traceId) => {
      const { status, body } = await get<JaegerTrace[]>(`/api/traces/${traceId}`);
      if (status === 404) return undefined;
      if (!body?.data)
        throw new Error(`GET /api/traces/${traceId}: ${status} ${JSON.stringify(body?.errors)}`);
      return body.data[0];
    },
    stop: () => jaeger.stop(),
  };
}
