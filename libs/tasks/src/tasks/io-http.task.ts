import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import {
  ALWAYS_REDACTED_HEADERS,
  AddressPolicy,
  IoHttpUnreachableError,
  checkedAddress,
  createHttpAgents,
  httpUrlRefusal,
  redactIoHttpPayload,
  sendPinnedRequest,
  systemHostLookup,
  urlForMessages,
  type HostLookup,
  type HttpAllowedCidr,
  type HttpAllowedHost,
} from '../http-guard';

/** Bodies past this size fail the job: io.http measures responses, it is not a download service. */
export const IO_HTTP_MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_TIMEOUT_MS = 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Response headers worth reporting; the rest stay out of the job's result. */
const REPORTED_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'cache-control',
  'location',
] as const;
/** Request headers a client may not set: they would let a job steer routing or framing. */
const REFUSED_REQUEST_HEADER =
  /^(host|connection|content-length|transfer-encoding|upgrade|te|trailer|proxy-.*)$/i;
/** RFC 9110 token: what node:http accepts as a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What node:http accepts in a header value (no CR, LF or NUL: no header injection). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** What the io.http task is built from. */
export interface IoHttpTaskOptions {
  /** `HTTP_ALLOWED_HOSTS`. @defaultValue [] (every URL refused) */
  readonly allowedHosts: readonly HttpAllowedHost[];
  /** `HTTP_ALLOWED_CIDRS`. @defaultValue [] (only public addresses) */
  readonly allowedCidrs?: readonly HttpAllowedCidr[];
  /** `HTTP_REDACT_HEADERS`, redacted besides ALWAYS_REDACTED_HEADERS. @defaultValue [] */
  readonly redactHeaders?: readonly string[];
  /** Name resolution; tests map names to addresses without DNS. @defaultValue systemHostLookup */
  readonly lookup?: HostLookup;
}

const resultSchema = z.strictObject({
  status: z.int().min(0).max(999).describe('The response status'),
  headers: z
    .partialRecord(z.enum(REPORTED_HEADERS), z.string())
    .describe('A few response headers, those present: ' + REPORTED_HEADERS.join(', ')),
  bodyBytes: z.int().min(0).max(IO_HTTP_MAX_BODY_BYTES).describe('Bytes of the response body'),
  bodySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('SHA-256 of the response body, lower-case hex'),
});

export type IoHttpResult = z.infer<typeof resultSchema>;

function payloadSchemaFor(allowedHosts: readonly HttpAllowedHost[]) {
  return z
    .strictObject({
      /** Absolute http(s) URL whose host and port are on HTTP_ALLOWED_HOSTS. */
      url: z
        .string()
        .max(2_048)
        .meta({
          format: 'uri',
          description: 'An absolute http(s) URL whose host:port is on HTTP_ALLOWED_HOSTS',
        })
        .superRefine((url, refinement) => {
          const refusal = httpUrlRefusal(url, allowedHosts);
          if (refusal) refinement.addIssue({ code: 'custom', message: refusal });
        }),
      /** GET, HEAD or POST. */
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
      /** Extra request headers (at most 32; not host, connection, framing or proxy headers). */
      headers: z
        .record(
          z
            .string()
            .max(256)
            .regex(HEADER_NAME, "a header name is letters, digits and -!#$%&'*+.^_`|~")
            .refine((name) => !REFUSED_REQUEST_HEADER.test(name), {
              message: 'this header may not be set by a job',
            }),
          z.string().max(8_192).regex(HEADER_VALUE, 'a header value may not hold control characters'),
        )
        .refine((headers) => Object.keys(headers).length <= 32, { message: 'at most 32 headers' })
        .optional(),
      /** Request body, POST only. */
      body: z.string().max(1_048_576).optional(),
      /** Per-request timeout. @defaultValue 10000 */
      timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional(),
    })
    .refine((payload) => payload.body === undefined || payload.method === 'POST', {
      message: 'a body is only allowed with method POST',
      path: ['body'],
    });
}

export type IoHttpPayload = z.infer<ReturnType<typeof payloadSchemaFor>>;

/** Hashes and counts the body as it streams; undefined past the size cap (the rest is never downloaded). */
async function measureBody(
  response: IncomingMessage,
): Promise<{ bodyBytes: number; bodySha256: string } | undefined> {
  const hash = createHash('sha256');
  let bodyBytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bodyBytes += chunk.byteLength;
    // Leaving the loop destroys the stream.
    if (bodyBytes > IO_HTTP_MAX_BODY_BYTES) return undefined;
    hash.update(chunk);
  }
  return { bodyBytes, bodySha256: hash.digest('hex') };
}

/** Rejects with the signal's reason as soon as it aborts (DNS lookups cannot be cancelled, only left). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function reportedHeaders(response: IncomingMessage): IoHttpResult['headers'] {
  const reported: IoHttpResult['headers'] = {};
  for (const name of REPORTED_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) reported[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return reported;
}

/**
 * Real HTTP to an allowlisted host and port at a checked address; reports status, a few headers, body size
 * and hash, never the body. Before any connection: the host and port must be on the allowlist, and every
 * address the host resolves to must pass the address policy; the connection then goes to that address.
 */
export function createIoHttpTask(options: IoHttpTaskOptions): TaskDefinition<IoHttpPayload, IoHttpResult> {
  const { allowedHosts, lookup = systemHostLookup } = options;
  const policy = new AddressPolicy(options.allowedCidrs);
  const redactedHeaders = new Set([...ALWAYS_REDACTED_HEADERS, ...(options.redactHeaders ?? [])]);
  const agents = createHttpAgents();
  const first = allowedHosts[0];
  return {
    name: 'io.http',
    description:
      'Calls an http(s) URL whose host and port are in HTTP_ALLOWED_HOSTS and whose addresses are public (or in HTTP_ALLOWED_CIDRS); redirects are not followed. Returns the status, a few headers, the body size and its SHA-256, never the body.',
    profile: 'io',
    // On a cpu lane it only holds a pool slot while it waits: wasteful, but it blocks no one else's loop.
    profiles: ['io', 'cpu'],
    // Jobs that name no profile follow its measured CPU ratio: io while it waits, cpu if it ever computes.
    autoRoute: true,
    payloadSchema: payloadSchemaFor(allowedHosts),
    resultSchema,
    example: {
      url: `http://${first?.host ?? '127.0.0.1'}${first?.port === undefined ? '' : `:${first.port}`}/`,
      method: 'GET',
    },
    defaultTimeoutMs: MAX_TIMEOUT_MS + 5_000,
    redactPayload: (payload) => redactIoHttpPayload(payload, redactedHeaders),
    async handler({ url, method, headers, body, timeoutMs }, ctx) {
      const limitMs = timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(limitMs)]);
      // Checked again here, and uniformly: a job may have been queued before the allowlist changed.
      if (httpUrlRefusal(url, allowedHosts) !== undefined) throw new IoHttpUnreachableError();
      const target = new URL(url);
      let connected = false;
      let measured: Awaited<ReturnType<typeof measureBody>>;
      let response: IncomingMessage;
      try {
        const address = await unlessAborted(checkedAddress(target.hostname, policy, lookup), signal);
        if (!address) throw new IoHttpUnreachableError();
        response = await sendPinnedRequest({
          url: target,
          address,
          method,
          headers,
          body,
          signal,
          agents,
          onConnected: () => (connected = true),
        });
        measured = await measureBody(response);
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        // Before a connection, every failure (refused, no such name, closed port, timeout) reads the same.
        if (!connected) throw new IoHttpUnreachableError();
        if (signal.aborted) {
          throw new Error(
            `io.http ${method} ${urlForMessages(target)} got no complete response within ${limitMs} ms`,
            { cause: error },
          );
        }
        // The code (ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID…) names the failure without quoting the peer.
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new Error(`io.http ${method} ${urlForMessages(target)} failed after connecting: ${code}`, {
          cause: error,
        });
      }
      if (!measured) {
        throw new Error(
          `response body exceeds ${IO_HTTP_MAX_BODY_BYTES} bytes; io.http refuses larger bodies`,
        );
      }
      ctx.progress(100);
      return { status: response.statusCode ?? 0, headers: reportedHeaders(response), ...measured };
    },
  };
}
