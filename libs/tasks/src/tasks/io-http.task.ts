import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';

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
];
/** Request headers a client may not set: they would let a job steer routing or framing. */
const REFUSED_REQUEST_HEADER =
  /^(host|connection|content-length|transfer-encoding|upgrade|te|trailer|proxy-.*)$/i;

/**
 * Why `url` may not be fetched, or undefined when it may: http(s) only, and the host must be on the
 * allowlist exactly (no wildcards, no redirects), so a job can never turn Switchyard into an open proxy.
 */
export function httpUrlRefusal(url: string, allowedHosts: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `only http and https URLs are allowed, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) return 'URLs with credentials are not allowed';
  const host = parsed.hostname.toLowerCase();
  if (!allowedHosts.includes(host)) {
    const allowed = allowedHosts.length > 0 ? allowedHosts.join(',') : '(empty)';
    return `host "${host}" is not allowed: add it to HTTP_ALLOWED_HOSTS (now ${allowed})`;
  }
  return undefined;
}

const resultSchema = z.object({
  status: z.number().int(),
  /** A few response headers (content-type, content-length, etag, last-modified, cache-control, location). */
  headers: z.record(z.string(), z.string()),
  /** Bytes of the response body. */
  bodyBytes: z.number().int(),
  /** SHA-256 of the response body, lower-case hex. */
  bodySha256: z.string(),
});

export type IoHttpResult = z.infer<typeof resultSchema>;

function payloadSchemaFor(allowedHosts: readonly string[]) {
  return z
    .strictObject({
      /** Absolute http(s) URL whose host is on HTTP_ALLOWED_HOSTS. */
      url: z
        .string()
        .max(2_048)
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
            .refine((name) => !REFUSED_REQUEST_HEADER.test(name), {
              message: 'this header may not be set by a job',
            }),
          z.string().max(8_192),
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

/** Reads the body as it streams, hashing and counting, and gives up past the size cap. */
async function measureBody(response: Response): Promise<{ bodyBytes: number; bodySha256: string }> {
  const hash = createHash('sha256');
  let bodyBytes = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      bodyBytes += chunk.byteLength;
      // Leaving the loop cancels the stream, so the rest of the body is never downloaded.
      if (bodyBytes > IO_HTTP_MAX_BODY_BYTES) break;
      hash.update(chunk);
    }
  }
  if (bodyBytes > IO_HTTP_MAX_BODY_BYTES) {
    throw new Error(`response body exceeds ${IO_HTTP_MAX_BODY_BYTES} bytes; io.http refuses larger bodies`);
  }
  return { bodyBytes, bodySha256: hash.digest('hex') };
}

/** Real HTTP to an allowlisted host; reports status, a few headers, body size and hash, never the body. */
export function createIoHttpTask(
  allowedHosts: readonly string[],
): TaskDefinition<IoHttpPayload, IoHttpResult> {
  return {
    name: 'io.http',
    description:
      'Calls an http(s) URL on a host in HTTP_ALLOWED_HOSTS (redirects are not followed) and returns the status, a few headers, the body size and its SHA-256, never the body.',
    profile: 'io',
    payloadSchema: payloadSchemaFor(allowedHosts),
    resultSchema,
    example: { url: `http://${allowedHosts[0] ?? '127.0.0.1'}/`, method: 'GET' },
    defaultTimeoutMs: MAX_TIMEOUT_MS + 5_000,
    async handler({ url, method, headers, body, timeoutMs }, ctx) {
      // Checked again here: a job may have been queued before the allowlist changed.
      const refusal = httpUrlRefusal(url, allowedHosts);
      if (refusal) throw new Error(`io.http refused ${url}: ${refusal}`);
      const signal = AbortSignal.any([
        ctx.signal,
        AbortSignal.timeout(timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
      ]);
      try {
        const response = await fetch(url, { method, headers, body, redirect: 'manual', signal });
        const reported: Record<string, string> = {};
        for (const name of REPORTED_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) reported[name] = value;
        }
        const measured = await measureBody(response);
        ctx.progress(100);
        return { status: response.status, headers: reported, ...measured };
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (signal.aborted) {
          throw new Error(
            `io.http ${method} ${url} got no complete response within ${timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} ms`,
            { cause: error },
          );
        }
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        throw new Error(
          `io.http ${method} ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause: error },
        );
      }
    },
  };
}
