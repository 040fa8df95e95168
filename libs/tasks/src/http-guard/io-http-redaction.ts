/** What every redacted value shows as. */
export const REDACTED = '[redacted]';

/** Request headers that carry credentials: always redacted (`HTTP_REDACT_HEADERS` adds more). */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'cookie',
  'proxy-authorization',
  'x-api-key',
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The URL without credentials, with its query and fragment replaced (tokens travel in both). */
function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  const query = parsed.search ? `?${REDACTED}` : '';
  const fragment = parsed.hash ? `#${REDACTED}` : '';
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}${fragment}`;
}

/**
 * A copy of an io.http payload fit for job views and logs: credential headers, the URL's userinfo, query
 * and fragment, and the body shown as "[redacted]". Tolerates any shape (stored payloads predate schema
 * changes) and never changes its input.
 * @param redactedHeaders lower-case header names to redact, ALWAYS_REDACTED_HEADERS included.
 */
export function redactIoHttpPayload(payload: unknown, redactedHeaders: ReadonlySet<string>): unknown {
  if (!isRecord(payload)) return payload;
  const redacted: Record<string, unknown> = { ...payload };
  if (typeof payload.url === 'string') redacted.url = redactUrl(payload.url);
  else if (payload.url !== undefined) redacted.url = REDACTED;
  if (isRecord(payload.headers)) {
    redacted.headers = Object.fromEntries(
      Object.entries(payload.headers).map(([name, value]) => [
        name,
        redactedHeaders.has(name.toLowerCase()) ? REDACTED : value,
      ]),
    );
  } else if (payload.headers !== undefined) {
    redacted.headers = REDACTED;
  }
  if (payload.body !== undefined) redacted.body = REDACTED;
  return redacted;
}
