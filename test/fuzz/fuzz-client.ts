import http from 'node:http';
import fc from 'fast-check';
import { headers as authHeaders } from './fuzz-auth';

/** A request as sent on the wire. */
export interface FuzzRequest {
  method: string;
  /** The raw request-target, sent as is: no URL parser folds `..`, `%2e` or `//` on the way. */
  path: string;
  /** An array sends the header once per value. */
  headers: Record<string, string | string[]>;
  body?: string | Uint8Array;
}

export type Outcome =
  | { kind: 'response'; status: number; contentType: string; body: Buffer }
  | { kind: 'hang' }
  | { kind: 'dropped'; error: string };

/** The bound on any answer; far above a healthy api's worst case, so only a hang trips it. */
export const HANG_DEADLINE_MS = 10_000;

const SHOWN_CHARS = 400;

function clip(text: string, max = SHOWN_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function bodyText(body: FuzzRequest['body']): string {
  return typeof body === 'string' || body === undefined ? (body ?? '') : Buffer.from(body).toString('latin1');
}

/** The whole request on one line (long parts clipped); fast-check prints counterexamples with it. */
export function describeRequest(request: FuzzRequest): string {
  const headerText = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${clip(JSON.stringify(value), 120)}`)
    .join(', ');
  const body = request.body === undefined ? '' : ` body=${clip(JSON.stringify(bodyText(request.body)))}`;
  return `${request.method} ${clip(request.path)} [${clip(headerText)}]${body}`;
}

/** Makes fast-check print the request as `describeRequest` does. */
export function printable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

/** What the survey saw, across every group. */
export class FuzzLedger {
  requests = 0;
  serverErrors = 0;
  hangs = 0;
  /** Connections closed without an answer, beyond the two cases `closingIsAnAnswer` allows. */
  dropped = 0;
  /** Job ids the api answered 2xx for: each must be in Redis, and nothing else may be. */
  readonly accepted = new Set<string>();
  readonly statuses = new Map<number, number>();

  record(request: FuzzRequest, outcome: Outcome): void {
    this.requests++;
    if (outcome.kind === 'hang') this.hangs++;
    if (outcome.kind === 'dropped' && !closingIsAnAnswer(request, outcome.error)) this.dropped++;
    if (outcome.kind !== 'response') return;
    this.statuses.set(outcome.status, (this.statuses.get(outcome.status) ?? 0) + 1);
    if (outcome.status >= 500) this.serverErrors++;
    if (outcome.status >= 200 && outcome.status < 300 && request.method === 'POST') {
      for (const id of acceptedIds(outcome.body)) this.accepted.add(id);
    }
  }
}

/** Job ids in a 2xx answer to a POST: `{ id }` from /v1/jobs, `{ jobs: [{ id }] }` from /v1/jobs/batch. */
function acceptedIds(body: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object') return [];
  const { id, jobs } = parsed as { id?: unknown; jobs?: unknown };
  const items = Array.isArray(jobs) ? (jobs as { id?: unknown }[]) : [{ id }];
  return items.map((item) => item?.id).filter((value): value is string => typeof value === 'string');
}

/** Sends fuzzed requests over keep-alive sockets, each with the hang deadline. */
export class FuzzClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly target: URL;

  constructor(apiUrl: string) {
    this.target = new URL(apiUrl);
  }

  /** @throws when Node refuses to send the request (a generator bug, not the api's). */
  async send(request: FuzzRequest): Promise<Outcome> {
    const first = await this.sendOnce(request);
    // A keep-alive socket the server closed as we reused it: the request never reached the api.
    return first.kind === 'dropped' && first.error.startsWith('reused:') ? this.sendOnce(request) : first;
  }

  close(): void {
    this.agent.destroy();
  }

  private sendOnce(request: FuzzRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      // Node frames a GET, HEAD or DELETE body only with an explicit length.
      const framing = body === undefined ? {} : { 'content-length': String(body.length) };
      const outgoing = http.request({
        host: this.target.hostname,
        port: this.target.port,
        method: request.method,
        path: request.path,
        headers: { ...authHeaders(), ...framing, ...request.headers },
        agent: this.agent,
      });
      const timer = setTimeout(() => {
        outgoing.destroy();
        resolve({ kind: 'hang' });
      }, HANG_DEADLINE_MS);
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            kind: 'response',
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          resolve({ kind: 'dropped', error: `response: ${error.message}` });
        });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const reused = outgoing.reusedSocket && error.code === 'ECONNRESET';
        resolve({ kind: 'dropped', error: `${reused ? 'reused:' : ''}${error.code ?? ''} ${error.message}` });
      });
      outgoing.end(body);
    });
  }
}

/** Node's default `maxHeaderSize`: past it the server answers 431 from its HTTP parser and closes. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

function headerBytes(request: FuzzRequest): number {
  const lines = Object.entries(request.headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => name.length + item.length + 4),
  );
  return request.method.length + request.path.length + lines.reduce((sum, length) => sum + length, 0);
}

/**
 * A closed connection is an answer in two cases only: the request's header block is past the
 * server's limit (it answers 431 and closes while the client may still be writing), or a HEAD the
 * HTTP parser refused (its error answer carries a body, which a HEAD client cannot parse).
 */
function closingIsAnAnswer(request: FuzzRequest, error: string): boolean {
  if (headerBytes(request) > NODE_MAX_HEADER_BYTES) return /EPIPE|ECONNRESET|HPE_/.test(error);
  return request.method === 'HEAD' && error.startsWith('HPE_');
}

/** An answer that breaks a property; `kind` groups answers that likely share a cause. */
export interface Violation {
  /** e.g. `500 on GET /v1/jobs/:id`, `414 not problem+json (FST_ERR_MAX_PARAM_LENGTH)`, `hang`. */
  kind: string;
  message: string;
}

/** The route a path hits, for grouping: ids become `:id`, the query is left out. */
function routeOf(path: string): string {
  const route = path.split(/[?#]/)[0];
  return /^\/v1\/jobs\/(?!batch$)./.test(route) ? '/v1/jobs/:id' : clip(route, 40);
}

/** What a JSON error body calls itself (`code`, else `message`), to tell framework errors apart. */
function errorName(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString()) as { code?: unknown; message?: unknown };
    return String(parsed.code ?? parsed.message ?? 'not JSON');
  } catch {
    return 'not JSON';
  }
}

/** The properties for one answer: no hang, no 5xx, and every 4xx is problem details. */
export function violationOf(request: FuzzRequest, outcome: Outcome): Violation | undefined {
  if (outcome.kind === 'hang') return { kind: 'hang', message: `no answer within ${HANG_DEADLINE_MS} ms` };
  if (outcome.kind === 'dropped') {
    if (closingIsAnAnswer(request, outcome.error)) return undefined;
    return { kind: 'dropped', message: `connection closed without an answer: ${outcome.error}` };
  }
  const { status, contentType, body } = outcome;
  const seen = `${status} ${contentType || '(no content-type)'} ${clip(JSON.stringify(body.toString()))}`;
  if (status >= 500) {
    return {
      kind: `${status} on ${request.method} ${routeOf(request.path)}`,
      message: `server error: ${seen}`,
    };
  }
  if (status < 400 || request.method === 'HEAD') return undefined;
  if (!/^application\/problem\+json\b/i.test(contentType)) {
    return {
      kind: `${status} not problem+json (${errorName(body)})`,
      message: `not problem details: ${seen}`,
    };
  }
  let problem: { status?: unknown; title?: unknown; detail?: unknown };
  try {
    problem = JSON.parse(body.toString()) as typeof problem;
  } catch {
    return { kind: `${status} problem+json that is not JSON`, message: seen };
  }
  const wellFormed =
    problem?.status === status &&
    typeof problem.title === 'string' &&
    problem.title.length > 0 &&
    typeof problem.detail === 'string' &&
    problem.detail.length > 0;
  return wellFormed ? undefined : { kind: `${status} problem without status, title, detail`, message: seen };
}
