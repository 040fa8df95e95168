/**
 * One `HTTP_ALLOWED_HOSTS` entry. `host` is in the WHATWG URL parser's canonical form (what `new URL(…).hostname`
 * gives: lower case, punycode, dotted-decimal IPv4, bracketed compressed IPv6), so every spelling of one
 * address (`0x7f.1`, `2130706433`, `127.0.0.1`) compares equal.
 */
export interface HttpAllowedHost {
  readonly host: string;
  /** @defaultValue 80 for http URLs, 443 for https URLs */
  readonly port?: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The port a URL connects to: its own, or its scheme's default. */
export function effectivePort(url: URL): number {
  return url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port);
}

/** `scheme://host:port/path`: all of a URL that may appear in an error or a log (no credentials, no query). */
export function urlForMessages(url: URL): string {
  return `${url.protocol}//${url.hostname}:${effectivePort(url)}${url.pathname}`;
}

/** True when the URL's host and effective port are on the allowlist. */
export function isAllowedTarget(url: URL, allowedHosts: readonly HttpAllowedHost[]): boolean {
  const port = effectivePort(url);
  return allowedHosts.some(
    (entry) => entry.host === url.hostname && (entry.port ?? DEFAULT_PORTS[url.protocol]) === port,
  );
}

/**
 * Why `url` may not be submitted, or undefined when it may: http(s) only, no credentials, host and port on
 * the allowlist exactly. Said plainly, for the submitter (a 422): it names the rule and the fix. The
 * address checks come later, in the handler, because DNS answers change between submit and run.
 * Never echoes the URL's query or credentials (messages reach logs).
 */
export function httpUrlRefusal(url: string, allowedHosts: readonly HttpAllowedHost[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `only http and https URLs are allowed, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) return 'URLs with credentials (user:password@) are not allowed';
  if (!isAllowedTarget(parsed, allowedHosts)) {
    const target = `${parsed.hostname}:${effectivePort(parsed)}`;
    // The allowlist itself is not listed: it is operator configuration and may name internal hosts.
    return `host and port ${target} are not allowed: an operator must add "${target}" to HTTP_ALLOWED_HOSTS (a port-less entry allows only port 80 for http, 443 for https)`;
  }
  return undefined;
}
