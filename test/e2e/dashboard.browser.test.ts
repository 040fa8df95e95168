/**
 * The queue dashboard (bull-board at /admin/queues) on the real api with AUTH=keys, opened in headless
 * Chromium: an admin key sees every lane rendered; no key, a wrong key and a key without the admin
 * scope are refused before any of the dashboard is served, its assets and JSON api included.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createApiKey } from '@switchyard/auth';
import { startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { deletePrefix } from '../helpers/redis-cleanup';

const CHROMIUM = '/usr/bin/chromium';
const LANES = ['io', 'cpu', 'cpu-processes', 'reports'];
const KEYS = {
  admin: createApiKey('ops', ['admin']),
  member: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
};

describe('queue dashboard at /admin/queues', () => {
  let stack: LocalStack;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `headless Chromium is needed at ${CHROMIUM}: apt-get install -y chromium`,
    );
    const prefix = `test-${randomUUID()}`;
    stack = await startLocalStack({
      prefix,
      logDir: path.join(os.tmpdir(), prefix),
      env: {
        AUTH: 'keys',
        API_KEYS: [KEYS.admin.entry, KEYS.member.entry].join(','),
      },
      // The api alone: the dashboard reads the lanes from Redis, consumers or not.
      services: [{ name: 'api', app: 'api', env: { LANES: LANES.join(',') } }],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    if (stack) await deletePrefix(stack.redisUrl, stack.prefix);
  });

  async function openDashboard(authorization?: string) {
    const context = await browser.newContext({
      extraHTTPHeaders: authorization ? { authorization } : {},
    });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        violations.push(message.text());
      }
    });
    const response = await page.goto(`${stack.apiUrl}/admin/queues`);
    return { context, page, response, violations };
  }

  it('renders every lane for an admin key, its scripts allowed by the dashboard CSP', async () => {
    const { context, page, response, violations } = await openDashboard(`Bearer ${KEYS.admin.key}`);
    try {
      assert.equal(response?.status(), 200);
      const csp = response?.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, 'scripts from the api only, none inline');
      for (const lane of LANES) {
        await page.getByText(lane, { exact: true }).first().waitFor({ timeout: 20_000 });
      }
      // Every lane came from the dashboard's JSON api, behind the same key.
      const body = await page.locator('body').innerText();
      for (const lane of LANES) assert.ok(body.includes(lane), `lane ${lane} is shown`);
      const scriptViolations = violations.filter((text) => !/fonts\.googleapis\.com/.test(text));
      assert.deepEqual(scriptViolations, [], 'nothing but the third-party font is refused');
    } finally {
      await context.close();
    }
  });

  it('is read-only: bull-board refuses to change a lane', async () => {
    const response = await fetch(`${stack.apiUrl}/admin/queues/api/queues/io/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEYS.admin.key}` },
    });
    assert.equal(response.status, 405, await response.text());
  });

  for (const [who, authorization, status] of [
    ['no key', undefined, 401],
    ['a wrong key', `Bearer sy_${'x'.repeat(43)}`, 401],
    ['a key without the admin scope', `Bearer ${KEYS.member.key}`, 403],
  ] as const) {
    it(`refuses ${who} with ${status}, as a problem, for the page, its assets and its api`, async () => {
      const { context, response } = await openDashboard(authorization);
      try {
        assert.equal(response?.status(), status);
        assert.match(response?.headers()['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal((await response?.json())?.status, status);
      } finally {
        await context.close();
      }
      for (const asset of ['/admin/queues/api/queues', '/admin/queues/static/images/logo.svg']) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const refused = await fetch(`${stack.apiUrl}${asset}`, { headers });
        assert.equal(refused.status, status, asset);
      }
    });
  }
});
