/**
 * The one text for every refusal and every failure to connect (not allowlisted, refused address, no DNS
 * answer, connection refused or timed out): which rule refused, or whether a port is open, stays unsaid.
 */
export const IO_HTTP_UNREACHABLE_MESSAGE =
  "io.http could not reach the URL's host: refused or unreachable (it must be on HTTP_ALLOWED_HOSTS, resolve only to public addresses or ones in HTTP_ALLOWED_CIDRS, and accept connections)";

/** io.http refused the URL's host or could not connect to it; the message never says which. */
export class IoHttpUnreachableError extends Error {
  override readonly name = 'IoHttpUnreachableError';
  constructor() {
    super(IO_HTTP_UNREACHABLE_MESSAGE);
  }
}
