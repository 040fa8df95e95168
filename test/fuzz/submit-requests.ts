import fc from 'fast-check';
import { printable, type FuzzRequest } from './fuzz-client';
import { hostileText, utf8HeaderValue } from './hostile-values';
import { batchBody, nearValidJob, type FuzzTarget } from './job-body-arbitraries';

/** Mostly JSON; then near misses (charsets, suffixes, case), other media types and junk. */
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;charset=latin1',
      'application/json; charset=utf-16',
      'application/json-patch+json',
      'application/jsonx',
      'application/problem+json',
      'application/json, text/plain',
      'application/json; boundary="',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      '',
      ';;;',
    ),
  },
  { weight: 1, arbitrary: fc.string().map(utf8HeaderValue) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Absent mostly; else a few reused keys (replays and conflicts), empty, long, unicode, random. */
const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3', '', ' '),
      fc.constantFrom(255, 256, 4096).map((length) => 'k'.repeat(length)),
      fc.string({ unit: 'grapheme' }).map(utf8HeaderValue),
      fc.uuid(),
    ),
  },
);

/** JSON text that is not JSON, or is JSON but no job: arbitrary values, truncations, deep nesting, bytes. */
function arbitraryBodyText(target: FuzzTarget): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.json(),
    fc.string(),
    hostileText,
    fc.constantFrom('', ' ', 'null', '"', '{', '{"task":', '[]', '{}', '{"__proto__":{"x":1}}', '\ufeff{}'),
    fc
      .tuple(nearValidJob(target), fc.nat())
      .map(([job, cut]) => JSON.stringify(job).slice(0, cut % (JSON.stringify(job).length + 1))),
    fc
      .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('[', '{"a":'))
      .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`),
    fc.uint8Array({ maxLength: 64 }),
  );
}

function post(
  path: string,
  body: string | Uint8Array,
  type: string | undefined,
  key: string | undefined,
): FuzzRequest {
  const headers: Record<string, string> = {};
  if (type !== undefined) headers['content-type'] = type;
  if (key !== undefined) headers['idempotency-key'] = key;
  return printable({ method: 'POST', path, headers, body });
}

const submitPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/v1/jobs', '/v1/jobs/batch') },
  { weight: 1, arbitrary: fc.constantFrom('/v1/jobs/', '/v1/jobs?lane=gpu', '/v1/jobs/batch/', '//v1/jobs') },
);

/** POST /v1/jobs and /v1/jobs/batch with bodies that are not job requests, under any content type. */
export function arbitrarySubmissions(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(submitPath, arbitraryBodyText(target), contentType, idempotencyKey)
    .map(([path, body, type, key]) => post(path, body, type, key));
}

/** POST /v1/jobs with catalog-built requests, one field made wrong in most. */
export function nearValidSubmissions(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(nearValidJob(target), idempotencyKey)
    .map(([job, key]) => post('/v1/jobs', JSON.stringify(job), 'application/json', key));
}

/** POST /v1/jobs/batch: odd shapes, small batches across lanes with a bad item, batches of ~1000. */
export function batchSubmissions(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(batchBody(target), idempotencyKey)
    .map(([body, key]) => post('/v1/jobs/batch', JSON.stringify(body), 'application/json', key));
}
