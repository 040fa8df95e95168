import type { Logger } from 'pino';

/** Anything that emits `error` events: a BullMQ Queue, QueueEvents or Worker, an ioredis client. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ConnectionErrorLogOptions {
  /** What failed, in the log line: `queue io`, `Redis (rate limit)`. */
  what: string;
  /** At most one line per this many ms (the count of the errors in between is in the next). @defaultValue 30000 */
  intervalMs?: number;
}

/**
 * Gives `emitter` an `error` listener that logs one JSON line, at most one per interval. Without a
 * listener, an `error` event throws, and BullMQ then prints the error with `console.error`: a
 * multi-line dump per reconnection attempt (several a second while Redis is away), which breaks a
 * log pipeline that expects one JSON object per line. ioredis reconnects by itself and readiness
 * reports the outage, so a line now and then is all an operator needs. The error's code and message
 * only: a connection error names the server, never a client's data.
 */
export function logConnectionErrors(
  emitter: ErrorEmitter,
  logger: Logger,
  options: ConnectionErrorLogOptions,
): void {
  const intervalMs = options.intervalMs ?? 30_000;
  let lastLogAt = -Infinity;
  let suppressed = 0;
  emitter.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastLogAt < intervalMs) {
      suppressed++;
      return;
    }
    lastLogAt = now;
    const code = (error as NodeJS.ErrnoException).code;
    logger.warn(
      { what: options.what, error: { name: error.name, code, message: error.message }, suppressed },
      `${options.what}: ${error.message}; retrying`,
    );
    suppressed = 0;
  });
}
