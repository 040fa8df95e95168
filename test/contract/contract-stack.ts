import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '@switchyard/auth';
import { DurableRedis, startLocalStack, type LocalStack } from '@switchyard/local-stack';

/** The keys the contract cases call with: two tenants, one key per single scope, admins. */
export const CONTRACT_KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  bob: createApiKey('tenant-b', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  reader: createApiKey('tenant-a', ['jobs:read']),
  writer: createApiKey('tenant-a', ['jobs:write']),
  canceller: createApiKey('tenant-a', ['jobs:cancel']),
  /** Its tenant is filled to TENANT_MAX_PENDING_JOBS before the cases run: the quota's 429. */
  carol: createApiKey('tenant-c', ['jobs:write', 'jobs:read']),
  admin: createApiKey('ops', ['admin']),
  /** Spends its RATE_LIMIT budget first, so every operation then answers it 429. */
  flood: createApiKey('ops', ['admin']),
};
export type Caller = keyof typeof CONTRACT_KEYS | 'nobody';

/** Requests per key per minute: room for every case, and few enough to spend quickly. */
export const RATE_LIMIT_PER_MINUTE = 400;

/** Well above what alice's tenant ever has pending in the run; one batch fills carol's. */
export const TENANT_MAX_PENDING_JOBS = 50;

/** Event streams and waiting reads the api holds at once: the cases use one at a time, until they hold all. */
export const JOB_WATCHES_MAX = 3;

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed when the answer is JSON (any `+json` too), else the text. */
  body: unknown;
}

export interface ApiRequest {
  method: string;
  path: string;
  as: Caller;
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ContractStack {
  stack: LocalStack;
  redis: DurableRedis;
  /** A URL io.http jobs may call: a local server on HTTP_ALLOWED_HOSTS (and HTTP_ALLOWED_CIDRS). */
  httpTargetUrl: string;
  call(request: ApiRequest): Promise<ApiAnswer>;
  /** Sends a request whose answer stays open (an event stream); resolves with its status once it starts. */
  open(request: ApiRequest): Promise<{ status: number; close(): void }>;
  stop(): Promise<void>;
}

/**
 * The real apps (api, io-consumer, an inline compute on `cpu`) over a private Redis that a case may
 * stop (the 503s), with AUTH=keys, a rate limit, a tenant quota and few job watches. Inline compute: a
 * diagnostic spin blocks its event loop, so a cancel of it stays `202 still stopping`.
 */
/** A local server io.http jobs may call, so a completed io.http job is among the cases. */
async function startHttpTarget(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', etag: '"contract"' });
    response.end('switchyard contract');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function closeHttpTarget(server: Server): void {
  server.closeAllConnections();
  server.close();
}

export async function startContractStack(): Promise<ContractStack> {
  const redis = await DurableRedis.start({ appendfsync: 'no' });
  const httpTarget = await startHttpTarget();
  const httpHost = `127.0.0.1:${(httpTarget.address() as AddressInfo).port}`;
  const prefix = `contract-${randomUUID().slice(0, 8)}`;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      redisUrl: redis.url,
      prefix,
      logDir: path.join(os.tmpdir(), prefix),
      env: {
        AUTH: 'keys',
        API_KEYS: Object.values(CONTRACT_KEYS)
          .map(({ entry }) => entry)
          .join(','),
        RATE_LIMIT: `${RATE_LIMIT_PER_MINUTE}/60`,
        TENANT_MAX_PENDING_JOBS: String(TENANT_MAX_PENDING_JOBS),
        JOB_WATCHES_MAX: String(JOB_WATCHES_MAX),
        DIAGNOSTIC_TASKS: 'true',
        HTTP_ALLOWED_HOSTS: httpHost,
        HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
        POOL_SIZE: '1',
        DRAIN_TIMEOUT_MS: '1000',
      },
      services: [
        { name: 'api', app: 'api' },
        { name: 'io-consumer', app: 'io-consumer' },
        { name: 'compute', app: 'compute', env: { LANE: 'cpu', EXECUTION_MODEL: 'inline' } },
      ],
    });
  } catch (error) {
    closeHttpTarget(httpTarget);
    await redis.dispose();
    throw error;
  }
  const send = (request: ApiRequest, signal: AbortSignal) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.as !== 'nobody') headers.authorization = `Bearer ${CONTRACT_KEYS[request.as].key}`;
    const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    return fetch(`${stack.apiUrl}${request.path}`, { method: request.method, headers, body, signal });
  };
  const call = async (request: ApiRequest): Promise<ApiAnswer> => {
    const response = await send(request, AbortSignal.timeout(15_000));
    const text = await response.text();
    const json = /[/+]json\b/.test(response.headers.get('content-type') ?? '') && text !== '';
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
  };
  const open = async (request: ApiRequest) => {
    const abort = new AbortController();
    const response = await send(request, AbortSignal.any([abort.signal, AbortSignal.timeout(60_000)]));
    return { status: response.status, close: () => abort.abort() };
  };
  return {
    stack,
    redis,
    httpTargetUrl: `http://${httpHost}/`,
    call,
    open,
    stop: async () => {
      // Consumers drain against Redis on SIGTERM: give them one to drain against.
      if (!redis.running) await redis.resume().catch(() => undefined);
      await stack.stop();
      await redis.dispose();
      closeHttpTarget(httpTarget);
    },
  };
}
