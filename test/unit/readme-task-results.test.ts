/**
 * The README's task table says what each result holds; for io.http (the one a reader reported wrong:
 * it said `sha256`) the fields it names are exactly the fields a real call returns.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { it } from 'node:test';
import { catalogOptionsFromEnv, createTaskCatalog } from '@switchyard/tasks';
import { taskContext } from './tasks/task-test-context';

const README = path.resolve(__dirname, '../../../README.md');

/** The field names in the result column of the task's README row: `{status, headers (a few), …}`. */
function readmeResultFields(task: string): string[] {
  const row = readFileSync(README, 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`| \`${task}\` |`));
  assert.ok(row, `README has a row for ${task}`);
  const result = /`\{([^}]*)\}`/.exec(row.split('|').at(-2) ?? '')?.[1];
  assert.ok(result, `the ${task} row names its result fields`);
  return result.split(',').map((field) => field.trim().split(/\s/, 1)[0]);
}

it('the README names the fields io.http really returns', async () => {
  const server = createServer((_request, response) => response.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const catalog = createTaskCatalog(
      catalogOptionsFromEnv({ HTTP_ALLOWED_HOSTS: `127.0.0.1:${port}`, HTTP_ALLOWED_CIDRS: '127.0.0.1/32' }),
    );
    const payload = catalog.parsePayload('io.http', { url: `http://127.0.0.1:${port}/`, method: 'GET' });
    const result = (await catalog.get('io.http').handler(payload, taskContext())) as object;
    assert.deepEqual(readmeResultFields('io.http').sort(), Object.keys(result).sort());
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
