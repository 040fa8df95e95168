import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './checked-address';

/** Keep-alive agents, one pair per io.http task, so pooled connections never cross address policies. */
export interface HttpAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export function createHttpAgents(): HttpAgents {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

export interface PinnedRequest {
  readonly url: URL;
  /** The checked address: the connection goes here and nowhere else. */
  readonly address: ResolvedAddress;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly agents: HttpAgents;
  /** Called once the TCP connection is up (at once for a pooled connection). */
  readonly onConnected: () => void;
}

/**
 * A `lookup` for net.connect that answers with the address already checked, whatever the name, so the
 * socket never asks DNS again. The host name still goes in the `Host` header and, over TLS, in SNI and
 * the certificate check (`servername` defaults to the host), so https verifies the name, not the address.
 */
function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * Sends one request to the checked address and resolves with the response head (redirects are never
 * followed: node:http does not follow them). Pooled keep-alive sockets may be reused for the same host and
 * port: they were connected to an address that passed the same policy.
 */
export function sendPinnedRequest(request: PinnedRequest): Promise<IncomingMessage> {
  const { url, address, method, body, signal, agents } = request;
  const headers: OutgoingHttpHeaders = { ...request.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const client = (secure ? https : http).request({
      protocol: url.protocol,
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      agent: secure ? agents.https : agents.http,
      lookup: pinnedLookup(address),
      signal,
    });
    client.once('socket', (socket) => {
      if (socket.connecting) socket.once('connect', request.onConnected);
      else request.onConnected();
    });
    client.once('response', resolve);
    client.once('error', reject);
    client.end(body);
  });
}
