import { randomFillSync } from 'node:crypto';

/** Random bytes for 256 trace ids or 512 span ids, filled at once: a `randomBytes(8)` per span cost ~5 µs per job. */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

const INVALID_SPAN_ID = '0'.repeat(16);
const INVALID_TRACE_ID = '0'.repeat(32);

/**
 * A W3C span id (8 random bytes, hex), never the invalid all-zero one. Light (no SDK), so threads and
 * children use it too.
 */
export function newSpanId(): string {
  const id = randomHex(8);
  return id === INVALID_SPAN_ID ? newSpanId() : id;
}

/** A W3C trace id (16 random bytes, hex), never the invalid all-zero one. */
export function newTraceId(): string {
  const id = randomHex(16);
  return id === INVALID_TRACE_ID ? newTraceId() : id;
}
