import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { TaskCatalog, catalogOptionsFromEnv, createTaskCatalog } from '@switchyard/tasks';

describe('payload redaction', () => {
  const catalog = createTaskCatalog({
    ...catalogOptionsFromEnv({
      HTTP_ALLOWED_HOSTS: 'api.example.org',
      HTTP_REDACT_HEADERS: 'X-Session, x-tenant-secret',
    }),
  });

  it('shows io.http credential headers, the URL query and userinfo, and the body as [redacted]', () => {
    const payload = {
      url: 'https://user:pw@api.example.org/v1/items?token=s3cret&page=2#access_token=abc',
      method: 'POST',
      headers: {
        Authorization: 'Bearer s3cret',
        cookie: 'sid=s3cret',
        'Proxy-Authorization': 'Basic s3cret',
        'X-API-Key': 's3cret',
        'x-session': 's3cret',
        'X-Tenant-Secret': 's3cret',
        accept: 'application/json',
      },
      body: '{"password":"s3cret"}',
      timeoutMs: 500,
    };
    const original = structuredClone(payload);
    const redacted = catalog.redactPayload('io.http', payload);
    assert.deepEqual(redacted, {
      url: 'https://api.example.org/v1/items?[redacted]#[redacted]',
      method: 'POST',
      headers: {
        Authorization: '[redacted]',
        cookie: '[redacted]',
        'Proxy-Authorization': '[redacted]',
        'X-API-Key': '[redacted]',
        'x-session': '[redacted]',
        'X-Tenant-Secret': '[redacted]',
        accept: 'application/json',
      },
      body: '[redacted]',
      timeoutMs: 500,
    });
    assert.ok(!JSON.stringify(redacted).includes('s3cret'));
    assert.deepEqual(payload, original, 'the stored payload is not changed');
  });

  it('leaves a URL without query or credentials, and a payload without headers or body, as they are', () => {
    const payload = { url: 'http://api.example.org/health', method: 'GET' };
    assert.deepEqual(catalog.redactPayload('io.http', payload), payload);
  });

  it('never throws, whatever the stored payload looks like', () => {
    for (const payload of [
      undefined,
      null,
      'text',
      42,
      [],
      { url: 'not a url' },
      { url: 7, headers: 'x', body: 1 },
    ]) {
      assert.doesNotThrow(() => catalog.redactPayload('io.http', payload));
    }
    assert.deepEqual(catalog.redactPayload('io.http', { url: 'not a url' }), { url: '[redacted]' });
    assert.deepEqual(catalog.redactPayload('io.http', { url: 7, headers: 'x', body: 1 }), {
      url: '[redacted]',
      headers: '[redacted]',
      body: '[redacted]',
    });
  });

  it('returns payloads of tasks without a redactor, and of unknown tasks, unchanged', () => {
    const payload = { limit: 10 };
    assert.equal(catalog.redactPayload('cpu.primes', payload), payload);
    assert.equal(catalog.redactPayload('no.such.task', payload), payload);
    assert.equal(catalog.redactPayload('no.such.task', undefined), undefined);
  });

  it('shows [redacted] rather than the raw payload when a redactor throws', () => {
    const failing: TaskDefinition<{ secret: string }, number> = {
      name: 'probe.failing',
      description: 'test task',
      profile: 'io',
      payloadSchema: z.object({ secret: z.string() }),
      resultSchema: z.number(),
      example: { secret: 'x' },
      defaultTimeoutMs: 1_000,
      handler: async () => 1,
      redactPayload: () => {
        throw new Error('broken redactor');
      },
    };
    assert.equal(
      new TaskCatalog().register(failing).redactPayload('probe.failing', { secret: 's3cret' }),
      '[redacted]',
    );
  });
});
