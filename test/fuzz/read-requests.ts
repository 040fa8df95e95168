import fc from 'fast-check';
import { JOB_STATES } from '@switchyard/contracts';
import { printable, type FuzzRequest } from './fuzz-client';
import { encodeSegment, hostileNumber, hostileNumberText, hostileText } from './hostile-values';
import type { FuzzTarget } from './job-body-arbitraries';

/** The names BullMQ gives a queue's own keys (`<prefix>:<lane>:<name>`), beside its job hashes. */
const BULLMQ_KEY_NAMES = [
  'active',
  'wait',
  'waiting-children',
  'paused',
  'id',
  'delayed',
  'prioritized',
  'stalled-check',
  'completed',
  'failed',
  'stalled',
  'repeat',
  'limiter',
  'meta',
  'events',
  'pc',
  'marker',
  'de',
];
/** Keys BullMQ hangs off a job's hash (`<prefix>:<lane>:<job id>:<suffix>`). */
const JOB_KEY_SUFFIXES = ['lock', 'logs', 'dependencies', 'processed', 'failed', 'unsuccessful'];

/** URL targets that a URL parser would fold or refuse, sent raw. */
const RAW_ID_TARGETS = [
  '/v1/jobs/..',
  '/v1/jobs/.',
  '/v1/jobs/%00',
  '/v1/jobs/%2F',
  '/v1/jobs/a%2Fb',
  '/v1/jobs/%2e%2e',
  '/v1/jobs/%2e%2e%2f%2e%2e%2fv1%2ftasks',
  '/v1/jobs/%',
  '/v1/jobs/%zz',
  '/v1/jobs/%C0%AF',
  '/v1/jobs/%ED%A0%80',
  '/v1/jobs/%FF',
  '/v1/jobs/\xe4',
  '/v1/jobs/meta/',
  '/v1/jobs//meta',
  '/v1/jobs/meta;x',
  '/v1/jobs/meta#x',
  '/v1/jobs/meta?state=failed',
];

const numericId = fc.oneof(
  fc.constantFrom('0', '1', '-1', '1e3', '9007199254740993', '0x10'),
  hostileNumberText,
);

/** Ids that are BullMQ's key names, job sub-keys, Switchyard's key segments, numbers or junk. */
function hostileId(knownIds: string[], withJobSubKeys: boolean): fc.Arbitrary<string> {
  const jobSubKey = fc
    .tuple(fc.constantFrom(...knownIds), fc.constantFrom(...JOB_KEY_SUFFIXES))
    .map(([id, suffix]) => `${id}:${suffix}`);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BULLMQ_KEY_NAMES) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BULLMQ_KEY_NAMES), fc.string({ maxLength: 8 }))
        .map(([name, tail]) => `${name}:${tail}`),
    },
    ...(withJobSubKeys ? [{ weight: 2, arbitrary: jobSubKey }] : []),
    {
      weight: 1,
      arbitrary: fc.constantFrom('_switchyard', '_switchyard:cancel', 'cancel', 'idempotency:fuzz-1'),
    },
    { weight: 1, arbitrary: numericId },
    { weight: 2, arbitrary: hostileText.map((text) => text.slice(0, 300)) },
    { weight: 1, arbitrary: fc.uuid() },
  );
}

/**
 * GET (and HEAD) /v1/jobs/:id for hostile ids, including sub-keys of real jobs; DELETE for the same
 * minus those, so no accepted job is cancelled (the census at the end counts them all).
 */
export function idRequests(knownIds: string[]): fc.Arbitrary<FuzzRequest> {
  const target = (withJobSubKeys: boolean) =>
    fc.oneof(
      {
        weight: 8,
        arbitrary: hostileId(knownIds, withJobSubKeys).map((id) => `/v1/jobs/${encodeSegment(id)}`),
      },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_ID_TARGETS) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(255, 256, 4096, 15_000).map((length) => `/v1/jobs/${'a'.repeat(length)}`),
      },
    );
  return fc
    .oneof(
      fc.tuple(fc.constantFrom('GET', 'HEAD'), target(true)),
      fc.tuple(fc.constant('DELETE'), target(false)),
    )
    .map(([method, path]) => printable({ method, path, headers: {} }));
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

const cursorOf = (value: unknown) => base64url(JSON.stringify(value));

/** Cursors: well-formed JSON with hostile numbers (2^60, 1e21, -1, 1.5…), other JSON, and junk. */
const cursor: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      cursorOf({ lane: 0, offset: 2 ** 60 }),
      cursorOf({ lane: 0, offset: 1e21 }),
      cursorOf({ lane: 1, offset: 2 ** 53 + 2 }),
      cursorOf({ lane: 2 ** 60, offset: 0 }),
      cursorOf({ lane: -1, offset: 0 }),
      cursorOf({ lane: 0, offset: 1.5 }),
      cursorOf({ lane: '0', offset: '0' }),
      cursorOf({ lane: 0 }),
      cursorOf(null),
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        lane: fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 5 }) }, { weight: 1, arbitrary: hostileNumber }),
        offset: fc.oneof(fc.nat({ max: 10_000 }), hostileNumber),
      })
      .map(cursorOf),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(cursorOf) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'nonsense', 'e30', 'x'.repeat(200), 'x'.repeat(201)) },
  { weight: 1, arbitrary: hostileText.map((text) => text.slice(0, 300)) },
);

function listParam(target: FuzzTarget): fc.Arbitrary<[string, string]> {
  const text = hostileText.map((value) => value.slice(0, 300));
  const pair = (name: string, value: fc.Arbitrary<string>) => value.map((v): [string, string] => [name, v]);
  return fc.oneof(
    pair('state', fc.oneof(fc.constantFrom(...JOB_STATES, 'sleeping', 'WAITING', 'prioritized', ''), text)),
    pair('task', fc.oneof(fc.constantFrom(...target.tasks.map((task) => task.name), 'nope'), text)),
    pair('lane', fc.oneof(fc.constantFrom(...target.lanes, 'gpu', 'meta', '_switchyard', 'IO'), text)),
    pair(
      'limit',
      fc.oneof(
        fc.constantFrom(
          '0',
          '-1',
          '1',
          '500',
          '501',
          '1e9',
          'abc',
          '1.5',
          '0x10',
          '',
          'NaN',
          'Infinity',
          ' 7 ',
        ),
        hostileNumberText,
      ),
    ),
    pair('cursor', cursor),
    fc.tuple(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'toString', 'state[]', 'limit[0]', 'offset'),
        text,
      ),
      text,
    ),
  );
}

const RAW_QUERIES = [
  '?',
  '?&&',
  '?=x',
  '?state',
  '?limit=%',
  '?limit=%zz',
  '?cursor=%00',
  '?lane=%ff',
  '?a=1&a=2',
  `?task=${'a'.repeat(17_000)}`,
];

/** GET /v1/jobs with any mix of known, unknown and repeated parameters. */
export function listRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const encoded = fc
    .array(listParam(target), { maxLength: 6 })
    .map(
      (params) =>
        `?${params.map(([name, value]) => `${encodeSegment(name)}=${encodeSegment(value)}`).join('&')}`,
    );
  return fc
    .oneof({ weight: 12, arbitrary: encoded }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) })
    .map((query) => printable({ method: 'GET', path: `/v1/jobs${query}`, headers: {} }));
}
