import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { startChaosStack } from './support/chaos-stack';
import { printFigure, seconds } from './support/figure';

const CONNECTIONS = 50;
const REQUEST_TIMEOUT_MS = 5_000;
/** Allowance past the timeout for the server's periodic check of stalled requests and scheduling. */
const CLOSE_SLACK_MS = 2_000;
const BODY_START = '{"task"'; // 7 bytes of the 1000 announced

interface SlowClient {
  sentAt: number;
  closedAt?: number;
  /** The status line the api answered with before closing, if any (e.g. `HTTP/1.1 408 Request Timeout`). */
  answer?: string;
  socket: net.Socket;
}

/** Opens a connection that announces a 1000-byte body, sends 7 bytes and then nothing. */
function openSlowClient(host: string, port: number): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const client: SlowClient = { sentAt: 0, socket };
    socket.once('error', () => undefined); // a reset is a close too; `close` follows
    socket.once('data', (chunk) => (client.answer = chunk.toString('latin1').split('\r\n')[0]));
    socket.once('close', () => (client.closedAt = Date.now()));
    socket.once('connect', () => {
      socket.write(
        `POST /v1/jobs HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: 1000\r\n\r\n${BODY_START}`,
      );
      client.sentAt = Date.now();
      resolve(client);
    });
    socket.once('error', reject);
  });
}

// A client that stalls mid-body holds a connection and its memory for as long as the server lets it:
// enough of them exhaust the api's sockets (slowloris). The api must cut each off by itself.
test('50 connections that stall mid-body are closed by the api within HTTP_REQUEST_TIMEOUT_MS', async (t) => {
  const chaos = await startChaosStack({
    services: [{ name: 'api', app: 'api' }],
    env: { HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
  });
  const clients: SlowClient[] = [];
  t.after(async () => {
    for (const client of clients) client.socket.destroy(); // else the api's shutdown waits on them
    await chaos.stop();
  });
  const { hostname, port } = new URL(chaos.stack.apiUrl);
  clients.push(
    ...(await Promise.all(Array.from({ length: CONNECTIONS }, () => openSlowClient(hostname, Number(port))))),
  );
  const healthyMeanwhile = await fetch(`${chaos.stack.apiUrl}/healthz`, {
    signal: AbortSignal.timeout(2_000),
  }).then(
    (response) => response.ok,
    () => false,
  );
  const boundMs = REQUEST_TIMEOUT_MS + CLOSE_SLACK_MS;
  const giveUpAt = Date.now() + boundMs + 5_000;
  while (clients.some((client) => client.closedAt === undefined) && Date.now() < giveUpAt) await delay(100);

  const openFor = clients.map((client) => (client.closedAt ?? Date.now()) - client.sentAt);
  const inTime = clients.filter(
    (client, index) => client.closedAt !== undefined && openFor[index] <= boundMs,
  );
  const answers = [...new Set(clients.flatMap((client) => (client.answer ? [client.answer] : [])))];
  printFigure(
    `${CONNECTIONS} slow-body connections (Content-Length 1000, 7 bytes sent): ${inTime.length}/${CONNECTIONS} ` +
      `closed by the api within ${seconds(boundMs)} (HTTP_REQUEST_TIMEOUT_MS ${seconds(REQUEST_TIMEOUT_MS)} + ` +
      `${seconds(CLOSE_SLACK_MS)}), longest open ${seconds(Math.max(...openFor))}` +
      `${clients.some((client) => client.closedAt === undefined) ? ' (still open when the test gave up)' : ''}; ` +
      `answered ${answers.length > 0 ? answers.join(' / ') : 'nothing'}; /healthz meanwhile ${healthyMeanwhile ? 'ok' : 'failed'}`,
  );

  assert.ok(healthyMeanwhile, 'the api answers other clients while the slow ones hang');
  assert.equal(inTime.length, CONNECTIONS, 'every stalled connection was closed in time');
});
