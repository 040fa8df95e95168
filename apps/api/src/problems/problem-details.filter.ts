import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { fromDomainError } from './domain-problems';
import { ProblemError } from './problem-error';

const MAX_BODY_MIB = 1;

/** Answers the framework gives by status, reworded as what is wrong and how to fix it. */
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

const INTERNAL_ERROR = new ProblemError(
  500,
  'Internal error',
  'the server failed to handle the request; it has been logged',
);

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

/** Nest's own answers (no route, a refused body), in the api's words where it has them. */
function fromHttpException(error: HttpException, instance?: string): ProblemError {
  const status = error.getStatus();
  if (BY_STATUS[status]) return BY_STATUS[status];
  const detail =
    status === 404 ? `no route matches ${instance ?? 'this path'}; see /docs for the API` : error.message;
  return new ProblemError(status, STATUS_CODES[status] ?? 'Error', detail);
}

/**
 * Turns any error into the problem to answer: the api's own, a lib's domain error (by the table in
 * `domain-problems.ts`), the framework's; anything else is a 500. Every 5xx is logged with its cause.
 */
export function toProblemError(error: unknown, instance?: string): ProblemError {
  if (error instanceof ProblemError) return error;
  const domain = fromDomainError(error);
  if (domain) return domain;
  if (error instanceof HttpException) return fromHttpException(error, instance);
  const fastify =
    error && typeof error === 'object' && 'code' in error
      ? fromFastifyError(error as FastifyError)
      : undefined;
  return fastify ?? INTERNAL_ERROR;
}

export function sendProblem(reply: FastifyReply, error: unknown, url: string): void {
  const problemError = toProblemError(error, url);
  const problem = problemError.toProblem(url);
  if (problem.status >= 500)
    new Logger('Problem').error(error instanceof Error ? error : 'a non-Error was thrown');
  void reply
    .headers(problemError.headers)
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(problem);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), error, http.getRequest<FastifyRequest>().url);
  }
}
