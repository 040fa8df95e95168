import fc from 'fast-check';

/** JSON text spliced into `JSON.stringify` output as is (Node 22's JSON.rawJSON): `1e400`, `2097152.0`. */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** BullMQ's highest priority (2^21 - 1). */
export const BULLMQ_PRIORITY_MAX = 2_097_151;

/** Numbers around the bounds that JavaScript, zod, BullMQ and Redis each treat differently. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    0.5,
    -0.5,
    1.5,
    BULLMQ_PRIORITY_MAX,
    BULLMQ_PRIORITY_MAX + 1,
    BULLMQ_PRIORITY_MAX + 2,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
    2 ** 60,
    2 ** 63,
    2 ** 64,
    -(2 ** 53),
    1e21,
    1e308,
    -1e308,
    5e-324,
  ),
  fc.constantFrom('1e400', '-1e400', '2097152.0', '1E2', '-0', '1' + '0'.repeat(400)).map(rawJson),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Lengths just inside and just past every limit a string meets (names, keys, inputs, the body). */
const edgeLength = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(40, 41, 100, 101, 200, 201, 255, 256, 2048, 2049, 8192, 8193, 16_385, 65_537),
  },
  { weight: 3, arbitrary: fc.nat({ max: 70_000 }) },
);

/**
 * Strings that are long (in characters or in UTF-8 bytes, up to ~280 KB), odd unicode, or look like
 * paths and keys.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '😀',
    'ǅ',
    '..',
    '../..',
    '%00',
    '__proto__',
    'constructor',
    '*',
    'io ',
    'IO',
    'io:x',
    '{io}',
  ),
  fc.tuple(edgeLength, fc.constantFrom('x', 'é', '😀')).map(([length, unit]) => unit.repeat(length)),
);

/** `hostileText`, and now and then a string longer than the api's 1 MiB body limit. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constant('x'.repeat(1_048_577)) },
);

/** Any JSON value, weighted to the values validators get wrong. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  hostileString,
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A property named `__proto__` (or another key) that JSON.stringify writes out as given. */
export function withOwnKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** `hostileNumber` as the text a query string would carry. */
export const hostileNumberText: fc.Arbitrary<string> = hostileNumber.map((value) => JSON.stringify(value));

/** Text sent as raw UTF-8 bytes in a header (each byte one latin1 character), minus bytes HTTP forbids. */
export function utf8HeaderValue(text: string): string {
  return Buffer.from(text.toWellFormed(), 'utf8')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** Percent-encodes any string, lone surrogates included (as U+FFFD). */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}
