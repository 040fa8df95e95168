import rateLimit from '@fastify/rate-limit';
import { ProblemError } from '../problems/problem-error';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RedisConnection } from '@switchyard/queue';

/** `RATE_LIMIT` as `{ max, seconds }`, or undefined for `off`. */
export function parseRateLimit(value: string): { max: number; seconds: number } | undefined {
  if (value === 'off') return undefined;
  const [max, seconds] = value.split('/').map(Number);
  return { max, seconds };
}

/**
 * Per API key (per client address without one), counted in Redis so every api replica shares the
 * window; 429 with `Retry-After` and the draft `RateLimit-*` headers. When Redis is away the limit is
 * skipped rather than failing the request: the request then meets Redis itself and gets its 503.
 */
export async function installRateLimit(
  app: NestFastifyApplication,
  setting: string,
  redis: RedisConnection,
  prefix: string,
): Promise<void> {
  const limit = parseRateLimit(setting);
  if (!limit) return;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.seconds * 1000,
    redis,
    nameSpace: `${prefix}:_switchyard:rate:`,
    skipOnError: true,
    enableDraftSpec: true,
    allowList: (request) => request.principal === undefined, // probes
    keyGenerator: (request) => (request.keyHash ? `key:${request.keyHash}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ProblemError(
        429,
        'Too many requests',
        `this key may make ${limit.max} requests per ${limit.seconds} s (RATE_LIMIT); retry after ${context.after}`,
      ),
  });
}
