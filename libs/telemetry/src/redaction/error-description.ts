/**
 * What may be said about an error outside the process (a log line, a span): its name, its `code`
 * when that is an identifier (`ECONNREFUSED`), the same of its `cause`, and its message only when
 * Switchyard wrote it from ids, numbers and code (`ERRORS_WITH_SAFE_MESSAGES`). Any other message
 * (a task's, a library's) may quote what a client sent: a URL with its query, a header, a payload
 * field. It stays in the job's view, for the job's tenant and for `admin`.
 */
export interface ErrorDescription {
  /** The error's name (`TypeError`, `JobTimeoutError`), or the thrown value's type. */
  type: string;
  /** Only for `ERRORS_WITH_SAFE_MESSAGES`, at most `MAX_SAFE_MESSAGE_CHARS`. */
  message?: string;
  /** An identifier such as `ECONNREFUSED` or `UND_ERR_CONNECT_TIMEOUT`. */
  code?: string;
  /** The stack's frames under the type; the whole stack for `ERRORS_WITH_SAFE_MESSAGES`. */
  stack?: string;
  /** The same, for `error.cause` (one level). */
  cause?: ErrorDescription;
}

/**
 * Errors whose messages Switchyard composes from ids, numbers and fixed text (see
 * `@switchyard/contracts` errors.ts). Matched by name, because errors cross thread and process
 * hops as copies. A name added here must keep that promise.
 */
export const ERRORS_WITH_SAFE_MESSAGES: ReadonlySet<string> = new Set([
  'JobTimeoutError',
  'JobCancelledError',
  'WorkerCrashedError',
]);

export const MAX_SAFE_MESSAGE_CHARS = 300;
const ERROR_NAME = /^[A-Za-z_$][\w$.]{0,99}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const STACK_HEADER_NAME = /^[A-Za-z_$][\w$.]*/;
const STACK_FRAME = /^\s+at \S/;

function property(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

/** The error's name when it reads as one; anything else could be text. */
export function errorType(error: unknown): string {
  if (error === null || typeof error !== 'object') return typeof error;
  const name = property(error, 'name');
  return typeof name === 'string' && ERROR_NAME.test(name) ? name : 'Error';
}

/**
 * A stack trace without its message: `<type>` and the `    at …` frame lines. Only when the stack
 * starts exactly with `<name>: <message>` (or `<name>` when there is no message), so no part of
 * the message can pass for a frame; otherwise undefined.
 */
export function stackFrames(stack: string, type: string, message: string | undefined): string | undefined {
  const name = STACK_HEADER_NAME.exec(stack)?.[0] ?? '';
  const header = message ? `${name}: ${message}` : name;
  const rest = stack.slice(header.length);
  if (!stack.startsWith(header) || (rest !== '' && !rest.startsWith('\n'))) return undefined;
  return [type, ...rest.split('\n').filter((line) => STACK_FRAME.test(line))].join('\n');
}

/** Describes `error` without its text unless it is one of `ERRORS_WITH_SAFE_MESSAGES`. */
export function describeError(error: unknown, depth = 0): ErrorDescription {
  const description: ErrorDescription = { type: errorType(error) };
  if (error === null || typeof error !== 'object') return description;
  const message = property(error, 'message');
  const stack = property(error, 'stack');
  const ours = ERRORS_WITH_SAFE_MESSAGES.has(description.type);
  if (ours && typeof message === 'string') description.message = message.slice(0, MAX_SAFE_MESSAGE_CHARS);
  if (typeof stack === 'string') {
    description.stack = ours
      ? stack
      : stackFrames(stack, description.type, typeof message === 'string' ? message : undefined);
  }
  const code = property(error, 'code');
  if (typeof code === 'string' && ERROR_CODE.test(code)) description.code = code;
  const cause = property(error, 'cause');
  if (depth === 0 && cause !== undefined) description.cause = describeError(cause, depth + 1);
  return description;
}
