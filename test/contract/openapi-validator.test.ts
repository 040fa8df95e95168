/**
 * The contract test's validator refuses what departs from the document, so a live answer it passes
 * really conforms: event streams are read event by event, and a status documented without a body has none.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ApiAnswer } from './contract-stack';
import { parseEventStream } from './event-stream';
import { documentedOperations, OpenApiValidator, type OpenApiDocument } from './openapi-validator';

const DOCUMENT = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8'),
) as OpenApiDocument;
const validator = new OpenApiValidator(DOCUMENT);
const followJob = documentedOperations(DOCUMENT).find((op) => op.name === 'GET /v1/jobs/{id}/events');

function answer(status: number, contentType: string | undefined, body: unknown): ApiAnswer {
  return { status, headers: new Headers(contentType ? { 'content-type': contentType } : {}), body };
}

describe('OpenApiValidator', () => {
  it('reads an event stream event by event, refusing one whose data is not the documented schema', () => {
    assert.ok(followJob, 'the document has followJob');
    const sse = 'text/event-stream; charset=utf-8';
    const notAView = validator.violations(
      followJob,
      answer(200, sse, 'id: 1\nevent: state\ndata: {"id":1}\n\n'),
    );
    assert.match(notAView.join('\n'), /^event 0 \(state\) data: JobView/);
    const unnamed = validator.violations(followJob, answer(200, sse, 'event: finished\ndata: {}\n\n'));
    assert.match(unnamed.join('\n'), /event 0 \(finished\) must have required property 'id'/);
    assert.match(
      unnamed.join('\n'),
      /event 0 \(finished\)\/event must be equal to one of the allowed values/,
    );
    const notJson = validator.violations(followJob, answer(200, sse, ': keep-alive\n\ndata: {"id"\n\n'));
    assert.match(notJson.join('\n'), /event 0 \(message\): data is not JSON/);
    assert.deepEqual(validator.violations(followJob, answer(200, sse, ': keep-alive\n\n')), [
      'an event stream without a single event',
    ]);
    assert.match(
      validator.violations(followJob, answer(200, 'application/json', {})).join('\n'),
      /content-type application\/json is not one of text\/event-stream/,
    );
  });

  it('refuses a body on a status documented without one', () => {
    assert.ok(followJob);
    assert.deepEqual(validator.violations(followJob, answer(204, undefined, '')), []);
    assert.match(validator.violations(followJob, answer(204, 'text/plain', 'x')).join(), /a body where none/);
  });

  it('parses events as EventSource does: comments skipped, data lines joined, the last id and event kept', () => {
    assert.deepEqual(
      parseEventStream(': hi\r\nid: 1\nid: 2\nevent: a\ndata: x\ndata:y\n\nevent: none\n\ndata\n\n'),
      [
        { id: '2', event: 'a', data: 'x\ny' },
        { id: undefined, event: undefined, data: '' },
      ],
    );
  });
});
