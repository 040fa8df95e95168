/**
 * The checked-in contract: docs/openapi.json and the client's generated types are what the code
 * generates, the document is what a running api (default configuration) serves at /docs-json, and
 * Redocly's linter (recommended rules, redocly.yaml) finds nothing in it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startLocalStack, type LocalStack } from '@switchyard/local-stack';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { documentedOperations, OpenApiValidator, type OpenApiDocument } from './openapi-validator';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const DOCUMENT_FILE = path.join(ROOT, 'docs/openapi.json');
const checkedIn = () => JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as OpenApiDocument;

describe('docs/openapi.json', () => {
  let stack: LocalStack;

  before(async () => {
    // The api alone, with the settings the document depends on (the catalog's, JOB_*_MAX_MS) at their defaults.
    stack = await startLocalStack({
      prefix: `openapi-${process.pid}-${Date.now()}`,
      logDir: path.join(os.tmpdir(), `openapi-${process.pid}`),
      env: {
        DIAGNOSTIC_TASKS: 'false',
        HTTP_ALLOWED_HOSTS: '',
        JOB_TIMEOUT_MAX_MS: '',
        JOB_DELAY_MAX_MS: '',
      },
      services: [{ name: 'api', app: 'api' }],
    });
  });
  after(async () => {
    await stack?.stop();
  });

  it('and the client types are what `npm run openapi:write` generates', async () => {
    const { stdout } = await run(
      process.execPath,
      [path.join(ROOT, 'scripts/write-openapi.mjs'), '--check'],
      {
        cwd: ROOT,
      },
    ).catch((error: { stdout: string; stderr: string }) => assert.fail(`${error.stdout}${error.stderr}`));
    assert.match(stdout, /in sync/);
  });

  it('is what the api serves at /docs-json', async () => {
    const response = await fetch(`${stack.apiUrl}/docs-json`);
    assert.equal(response.status, 200);
    assert.deepEqual(
      await response.json(),
      checkedIn(),
      'run `npm run openapi:write` and commit docs/openapi.json',
    );
  });

  it('passes redocly lint with 0 errors and 0 warnings', async () => {
    const redocly = path.join(ROOT, 'node_modules/.bin/redocly');
    const { stdout } = await run(redocly, ['lint', DOCUMENT_FILE, '--format=json'], { cwd: ROOT }).catch(
      (error: { stdout: string; stderr: string }) => ({ stdout: error.stdout || error.stderr }),
    );
    const report = JSON.parse(stdout) as { totals: Record<string, number>; problems: { message: string }[] };
    assert.deepEqual(
      { errors: report.totals.errors, warnings: report.totals.warnings },
      { errors: 0, warnings: 0 },
      report.problems.map((problem) => problem.message).join('\n'),
    );
  });

  it("takes each catalog task's example as a JobRequest (the oneOf by task), and refuses a wrong payload", async () => {
    const { tasks } = (await (await fetch(`${stack.apiUrl}/v1/tasks`)).json()) as {
      tasks: { name: string; example: unknown }[];
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(checkedIn() as object, 'api');
    const jobRequest = ajv.compile({ $ref: 'api#/components/schemas/JobRequest' });
    assert.ok(tasks.length >= 6);
    for (const task of tasks) {
      assert.ok(
        jobRequest({ task: task.name, payload: task.example }),
        `${task.name}: ${ajv.errorsText(jobRequest.errors)}`,
      );
    }
    assert.equal(
      jobRequest({ task: 'io.sleep', payload: { limit: 10 } }),
      false,
      "cpu.primes's payload for io.sleep",
    );
    assert.equal(
      jobRequest({ task: 'io.sleep', payload: { ms: 1 }, timeoutMs: 600_001 }),
      false,
      'over JOB_TIMEOUT_MAX_MS',
    );
    assert.equal(jobRequest({ task: 'no.such.task' }), false, 'a task not in the catalog');
  });

  it("documents each catalog task's result as TaskResult.<task>, and a job view's result as one of them", async () => {
    const { tasks } = (await (await fetch(`${stack.apiUrl}/v1/tasks`)).json()) as {
      tasks: { name: string }[];
    };
    const { schemas } = checkedIn().components;
    const result = (schemas.JobView as { properties: { result: { anyOf: { $ref: string }[] } } }).properties
      .result;
    assert.deepEqual(
      result.anyOf.map(({ $ref }) => $ref),
      tasks.map(({ name }) => `#/components/schemas/TaskResult.${name}`),
    );
    const validator = new OpenApiValidator(checkedIn());
    assert.deepEqual(validator.componentViolations('TaskResult.cpu.primes', { limit: 10, count: 4 }), []);
    assert.notDeepEqual(
      validator.componentViolations('TaskResult.cpu.primes', { limit: 10, count: 4, extra: true }),
      [],
      'a field the schema does not name',
    );
    assert.notDeepEqual(validator.componentViolations('TaskResult.io.sleep', { sleptMs: '5' }), []);
  });

  it("lets the contract test's validator catch a body that departs from it", () => {
    const document = checkedIn();
    const validator = new OpenApiValidator(document);
    const getJob = documentedOperations(document).find((operation) => operation.name === 'GET /v1/jobs/{id}');
    assert.ok(getJob);
    const answer = (status: number, body: unknown, type = 'application/json') => ({
      status,
      headers: new Headers({ 'content-type': type }),
      body,
    });
    assert.match(
      validator.violations(getJob, answer(200, { id: 'x' })).join(),
      /must have required property/,
    );
    assert.match(validator.violations(getJob, answer(418, {})).join(), /not documented/);
    assert.match(validator.violations(getJob, answer(404, {}, 'application/json')).join(), /content-type/);
    assert.match(
      validator.violations(getJob, answer(404, { title: 'x' }, 'application/problem+json')).join(),
      /status/,
    );
  });
});
