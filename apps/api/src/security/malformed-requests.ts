import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../problems/problem-details.filter';
import { ProblemError } from '../problems/problem-error';

/** Fastify's router refusals (bad percent-encoding, an over-long id), as problems instead of its own JSON. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ProblemError(414, 'URI too long', 'a path segment is too long; job ids are UUIDs')
      : new ProblemError(400, 'Malformed URL', 'the path is not valid: check its percent-encoding');
  sendProblem(reply, problem, request.url.slice(0, 200));
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request headers are over 16 KiB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request did not arrive whole in time'],
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (an unknown method, bytes not allowed in a
 * path, headers over 16 KiB, a request that timed out): answered as problem details, then closed.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, title, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'the request is not valid HTTP/1.1',
  ];
  // Typed as a JSON-ish buffer, it is Node's Buffer of what was read so far.
  const raw: unknown = error.rawPacket;
  const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nconnection: close\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
  );
}
