import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NestPinoLogger } from '@switchyard/telemetry';

function capture(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('NestPinoLogger', () => {
  it("writes Nest's lines as pino JSON with their context", () => {
    const out = capture();
    const logger = new NestPinoLogger('switchyard-api', { destination: out, level: 'info' });
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('slow', 'Consumer');
    logger.debug('hidden below the level', 'Consumer');
    assert.equal(out.lines.length, 2);
    assert.deepEqual(
      out.lines.map(({ level, name, context, msg }) => ({ level, name, context, msg })),
      [
        {
          level: 30,
          name: 'switchyard-api',
          context: 'NestApplication',
          msg: 'Nest application successfully started',
        },
        { level: 40, name: 'switchyard-api', context: 'Consumer', msg: 'slow' },
      ],
    );
  });

  it('keeps an error with its type and stack frames, not its text (which may quote a request)', () => {
    const out = capture();
    new NestPinoLogger('switchyard-compute', { destination: out }).error(
      new Error('boom with secret-in-message'),
      'Problem',
    );
    const [line] = out.lines;
    assert.equal(line.level, 50);
    assert.equal(line.msg, 'Error');
    const stack = String((line.error as { stack?: string }).stack);
    assert.match(stack, /^Error\n\s+at /);
    assert.ok(!JSON.stringify(line).includes('secret-in-message'));
  });
});
