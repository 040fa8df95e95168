import { createServer, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';

/** HTTP listeners on the loopback addresses, one port, recording every connection any of them accepts. */
export interface RecordingListeners {
  readonly port: number;
  /** `address` of each accepted connection (the listener's own address), in order. */
  readonly connections: string[];
  /** Whether [::1] is listened on too (false on a machine without IPv6 loopback). */
  readonly ipv6: boolean;
  close(): Promise<void>;
}

function listen(address: string, port: number, connections: string[]): Promise<Server | undefined> {
  const server = createServer((_request, response) => response.end('reached\n'));
  server.on('connection', (socket) => connections.push(socket.localAddress ?? address));
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, address, () => resolve(server));
  });
}

/**
 * Listens on 127.0.0.1 (any free port), then on 127.0.0.2 and [::1] at the same port, so that every
 * loopback spelling of one URL (127.0.0.1, 127.0.0.2, 0.0.0.0, ::1, ::ffff:127.0.0.1, localhost) reaches
 * a listener if io.http ever connects.
 */
export async function startRecordingListeners(): Promise<RecordingListeners> {
  const connections: string[] = [];
  const first = await listen('127.0.0.1', 0, connections);
  if (!first) throw new Error('cannot listen on 127.0.0.1');
  const { port } = first.address() as AddressInfo;
  const second = await listen('127.0.0.2', port, connections);
  if (!second) throw new Error(`cannot listen on 127.0.0.2:${port}`);
  const v6 = await listen('::1', port, connections);
  const servers = [first, second, ...(v6 ? [v6] : [])];
  return {
    port,
    connections,
    ipv6: v6 !== undefined,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

/**
 * Runs `work` with every outgoing TCP connection attempt refused before any packet leaves (counted and
 * thrown). A safety net for tests that name non-loopback addresses: even a broken check sends nothing.
 * @returns what `work` rejected with (undefined if it resolved) and how many connections it attempted.
 */
export async function withoutConnections(
  work: () => Promise<unknown>,
): Promise<{ error: unknown; attempts: number }> {
  const original = Socket.prototype.connect;
  let attempts = 0;
  Socket.prototype.connect = function refuseConnection(): never {
    attempts += 1;
    throw new Error('test tripwire: io.http tried to connect');
  };
  try {
    await work();
    return { error: undefined, attempts };
  } catch (error) {
    return { error, attempts };
  } finally {
    Socket.prototype.connect = original;
  }
}
