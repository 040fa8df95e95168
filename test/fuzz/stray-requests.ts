import fc from 'fast-check';
import { printable, type FuzzRequest } from './fuzz-client';
import { encodeSegment, hostileText, utf8HeaderValue } from './hostile-values';
import type { FuzzTarget } from './job-body-arbitraries';
import { nearValidJob } from './job-body-arbitraries';

/** Methods Node's HTTP parser knows; then a few it does not (its parser answers those itself). */
const method = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'PURGE', 'LOCK', 'MKCOL') },
  { weight: 1, arbitrary: fc.constantFrom('FOO', 'get', 'M-SEARCH') },
);

const KNOWN_PATHS = [
  '/',
  '/v1',
  '/v1/jobs',
  '/v1/jobs/batch',
  '/v1/jobs/00000000-0000-0000-0000-000000000000',
  '/v1/tasks',
  '/v1/queues',
  '/healthz',
  '/readyz',
  '/metrics',
  '/docs',
  '/docs/',
  '/docs-json',
  '/docs/swagger-ui.css',
  '/docs/static/index.html',
];
const ODD_PATHS = [
  '*',
  '/v2/jobs',
  '/V1/JOBS',
  '/v1/jobs/',
  '//v1/jobs',
  '/v1//jobs',
  '/v1/tasks/../jobs',
  '/v1/%6a%6f%62%73',
  '/favicon.ico',
  '/admin/queues',
  '/v1/jobs?limit=1',
  '/healthz?x=%zz',
  `/${'a'.repeat(17_000)}`,
];

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_PATHS) },
  { weight: 2, arbitrary: fc.webPath().map((webPath) => webPath || '/') },
  {
    weight: 1,
    arbitrary: fc
      .array(
        hostileText.map((text) => text.slice(0, 200)),
        { minLength: 1, maxLength: 4 },
      )
      .map((segments) => `/${segments.map(encodeSegment).join('/')}`),
  },
);

/** Header names a server reads, then any token; framing headers are left to the chaos suite. */
const headerName = fc.oneof(
  fc.constantFrom(
    'accept',
    'accept-encoding',
    'accept-language',
    'authorization',
    'content-type',
    'content-encoding',
    'cookie',
    'idempotency-key',
    'traceparent',
    'tracestate',
    'baggage',
    'origin',
    'access-control-request-method',
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
    'forwarded',
    'x-request-id',
    'x-http-method-override',
    'if-none-match',
    'range',
    'user-agent',
  ),
  fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,40}$/),
);

const headerValue = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.constantFrom(
      '',
      'Bearer ',
      'Bearer x',
      'Basic Zm9vOmJhcg==',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-zz-zz-zz',
      'gzip, deflate, br',
      'bytes=0-1',
      '*',
      'null',
      'application/json',
      'text/html;q=0.1',
      'http://evil.example',
    ),
  },
  { weight: 20, arbitrary: fc.string({ unit: 'grapheme' }).map(utf8HeaderValue) },
  { weight: 5, arbitrary: fc.constantFrom(256, 4_000).map((length) => 'v'.repeat(length)) },
  { weight: 1, arbitrary: fc.constant('v'.repeat(17_000)) },
);

/** A few headers, sometimes the same one twice, sometimes hundreds. */
const headers: fc.Arbitrary<Record<string, string | string[]>> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(headerName, fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), {
      maxKeys: 8,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.dictionary(headerName, fc.string({ maxLength: 20 }).map(utf8HeaderValue), {
      minKeys: 100,
      maxKeys: 300,
    }),
  },
);

/** Any method on known, odd and random paths, with hostile headers and (sometimes) a body. */
export function strayRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const body = fc.oneof(
    nearValidJob(target).map((job) => JSON.stringify(job)),
    fc.json(),
    hostileText,
  );
  return fc
    .record({ method, path, headers, body }, { requiredKeys: ['method', 'path', 'headers'] })
    .map((request) => printable(request));
}
