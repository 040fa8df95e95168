import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ProblemError, type ProblemDetails } from '@switchyard/contracts';
import { BackpressureError } from '@switchyard/quotas';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

const MAX_BODY_MIB = 1;

/** Fastify's own request errors, reworded as what is wrong and how to fix it. */
function fromFastifyError(error: FastifyError): ProblemError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return BY_STATUS[413];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return BY_STATUS[415];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError(400, 'Malformed JSON', 'the body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProblemError(
        400,
        'Invalid content-length',
        'the content-length header does not match the body',
      );
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return new ProblemError(400, 'Malformed JSON', `the body is not valid JSON: ${error.message}`);
      }
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return new ProblemError(error.statusCode, 'Bad request', error.message);
      }
      return undefined;
  }
}

/** Turns any error into an RFC 9457 problem; only a genuine server fault is a 500, and it is logged. */
const BY_STATUS: Record<number, ProblemError> = {
  413: new ProblemError(
    413,
    'Request body too large',
    `the body is over ${MAX_BODY_MIB} MiB; send fewer jobs per batch or a smaller payload`,
  ),
  415: new ProblemError(
    415,
    'Unsupported media type',
    'send the body as JSON with the header content-type: application/json',
  ),
};

/** ioredis gave up on a command: Redis is away, which is no client mistake and no bug either. */
function isRedisUnavailable(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'MaxRetriesPerRequestError' ||
      /Connection is closed|ECONNREFUSED|Stream isn't writeable/.test(error.message))
  );
}

/** Redis at maxmemory under `noeviction` refuses writes: the job store is full, nothing was written. */
function isRedisFull(error: unknown): boolean {
  return error instanceof Error && /^OOM command not allowed/.test(error.message);
}

/** Domain errors of the libs, as problems with their status and headers. */
function fromDomainError(error: unknown): ProblemError | undefined {
  if (error instanceof BackpressureError) {
    return new ProblemError(
      429,
      'Too many jobs',
      error.message,
      {},
      {
        'retry-after': String(error.retryAfterSeconds),
      },
    );
  }
  return undefined;
}

export function toProblem(error: unknown, instance?: string): ProblemDetails {
  return toProblemError(error)?.toProblem(instance) ?? fallbackProblem(error, instance);
}

function toProblemError(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  return fromDomainError(error);
}

function fallbackProblem(error: unknown, instance?: string): ProblemDetails {
  if (isRedisFull(error)) {
    return new ProblemError(
      503,
      'Job store full',
      'Redis has reached its maxmemory and refuses new jobs (nothing was written); retry later, or raise maxmemory / lower the retention limits',
    ).toProblem(instance);
  }
  if (isRedisUnavailable(error)) {
    return new ProblemError(
      503,
      'Service unavailable',
      'the job store (Redis) is not reachable; retry shortly',
    ).toProblem(instance);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (BY_STATUS[status]) return BY_STATUS[status].toProblem(instance);
    const detail =
      status === 404 ? `no route matches ${instance ?? 'this path'}; see /docs for the API` : error.message;
    return new ProblemError(status, STATUS_CODES[status] ?? 'Error', detail).toProblem(instance);
  }
  const fastifyProblem =
    error && typeof error === 'object' && 'code' in error
      ? fromFastifyError(error as FastifyError)
      : undefined;
  if (fastifyProblem) return fastifyProblem.toProblem(instance);
  return new ProblemError(
    500,
    'Internal error',
    'the server failed to handle the request; it has been logged',
  ).toProblem(instance);
}

export function sendProblem(reply: FastifyReply, error: unknown, url: string): void {
  const problem = toProblem(error, url);
  if (problem.status >= 500)
    new Logger('Problem').error(error instanceof Error ? error : 'a non-Error was thrown');
  const headers = toProblemError(error)?.headers;
  if (headers) void reply.headers(headers);
  void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), error, http.getRequest<FastifyRequest>().url);
  }
}
