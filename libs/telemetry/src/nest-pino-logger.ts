import type { LoggerService } from '@nestjs/common';
import { createLogger, type Logger, type LoggerOptions } from './create-logger';
import { describeError } from './redaction/error-description';

/**
 * Nest's framework lines (start-up, routes, shutdown) as the same pino JSON as everything else,
 * with trace ids when written inside a span. Nest passes the context (e.g. `NestApplication`) last.
 */
export class NestPinoLogger implements LoggerService {
  private readonly logger: Logger;

  constructor(name: string, options: LoggerOptions = {}) {
    this.logger = createLogger(name, options);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    rest: unknown[],
  ): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    // An error's own text may quote a request: its type and stack frames are logged, not its message.
    if (message instanceof Error) {
      const error = describeError(message);
      this.logger[level]({ ...fields, error }, error.message ?? error.type);
    } else if (typeof message === 'string') this.logger[level](fields, message);
    else this.logger[level]({ ...fields, data: message });
  }
}
