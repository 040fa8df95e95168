/** Protobuf wire types used by OTLP. */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const TWO_POW_32 = 2 ** 32;
const NANOS_PER_SECOND = 1e9;
const MAX_ASCII = 0x7f;
const SHORT_COPY = 64;

/**
 * Appends protobuf wire format to one growing buffer that is reused from batch to batch, so
 * encoding a span allocates nothing once the buffer has grown to a batch's size. A nested
 * message reserves one byte for its length and moves its content only when it needs more
 * (rare for a span's parts, once per batch for the envelope).
 */
export class ProtobufWriter {
  #buffer: Buffer;
  /** Bytes written so far. */
  length = 0;

  /** @param initialBytes the buffer's first size; it doubles when full. @defaultValue 65536 */
  constructor(initialBytes = 65_536) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** A copy of the bytes written, which outlives `reset`. */
  copy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#buffer, 0, this.length);
  }

  reset(): void {
    this.length = 0;
  }

  tag(field: number, wireType: WireType): void {
    this.uint32((field << 3) | wireType);
  }

  uint32(value: number): void {
    this.#reserve(5);
    const buffer = this.#buffer;
    let rest = value >>> 0;
    while (rest > 0x7f) {
      buffer[this.length++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buffer[this.length++] = rest;
  }

  /** An int64 varint from a safe integer, negative ones in two's complement (ten bytes). */
  int64(value: number): void {
    if (value >= 0 && value < TWO_POW_32) return this.uint32(value);
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = Math.floor(magnitude / TWO_POW_32) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    this.#reserve(10);
    const buffer = this.#buffer;
    while (high > 0 || low > 0x7f) {
      buffer[this.length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.length++] = low;
  }

  fixed32(value: number): void {
    this.#reserve(4);
    this.#buffer.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
  }

  /**
   * An OpenTelemetry time (`[seconds, nanoseconds]`) as fixed64 nanoseconds. The product passes
   * 2^53, so it is summed in parts that doubles hold exactly.
   */
  hrTime(time: readonly [number, number]): void {
    const [seconds, nanos] = time;
    const lowSeconds = seconds % 0x10000;
    const highSeconds = (seconds - lowSeconds) / 0x10000;
    // seconds × 1e9 = lowSeconds × 1e9 + highSeconds × 1e9 × 2^16, each part below 2^53.
    const fromLow = lowSeconds * NANOS_PER_SECOND + nanos;
    const fromHigh = highSeconds * NANOS_PER_SECOND;
    const fromHighLow16 = fromHigh % 0x10000;
    let low = (fromLow % TWO_POW_32) + fromHighLow16 * 0x10000;
    let high = Math.floor(fromLow / TWO_POW_32) + (fromHigh - fromHighLow16) / 0x10000;
    if (low >= TWO_POW_32) {
      low -= TWO_POW_32;
      high += 1;
    }
    this.#reserve(8);
    this.#buffer.writeUInt32LE(low, this.length);
    this.#buffer.writeUInt32LE(high >>> 0, this.length + 4);
    this.length += 8;
  }

  double(value: number): void {
    this.#reserve(8);
    this.#buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /**
   * A length-delimited UTF-8 string. Names, ids and numbers are ASCII: written in one pass,
   * char by char, assuming so, and rewritten through the UTF-8 encoder when a char says otherwise.
   */
  string(value: string): void {
    const count = value.length;
    const start = this.length;
    this.uint32(count);
    this.#reserve(count);
    const buffer = this.#buffer;
    let at = this.length;
    for (let index = 0; index < count; index++) {
      const code = value.charCodeAt(index);
      if (code > MAX_ASCII) return this.#utf8String(value, start);
      buffer[at++] = code;
    }
    this.length = at;
  }

  #utf8String(value: string, start: number): void {
    this.length = start;
    const bytes = Buffer.byteLength(value, 'utf8');
    this.uint32(bytes);
    this.#reserve(bytes);
    this.length += this.#buffer.write(value, this.length, 'utf8');
  }

  /** A length-delimited byte field from a hex id (trace and span ids). */
  hexBytes(hex: string): void {
    const count = hex.length >>> 1;
    this.uint32(count);
    this.#reserve(count);
    const buffer = this.#buffer;
    for (let index = 0; index < count; index++) {
      buffer[this.length++] =
        (hexDigit(hex.charCodeAt(2 * index)) << 4) | hexDigit(hex.charCodeAt(2 * index + 1));
    }
  }

  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /** Bytes already in wire format (a message encoded by another writer, a cached field). */
  raw(bytes: Uint8Array): void {
    const count = bytes.length;
    this.#reserve(count);
    if (count > SHORT_COPY) {
      this.#buffer.set(bytes, this.length);
      this.length += count;
      return;
    }
    // Below this size a loop beats the native copy's call.
    const buffer = this.#buffer;
    for (let index = 0; index < count; index++) buffer[this.length++] = bytes[index];
  }

  /** Opens a nested message; close it with `end(mark)`. */
  begin(): number {
    this.#reserve(1);
    return this.length++;
  }

  /** Writes the nested message's length at its mark, moving its content when the length needs more than a byte. */
  end(mark: number): void {
    const size = this.length - mark - 1;
    if (size <= 0x7f) {
      this.#buffer[mark] = size;
      return;
    }
    const lengthBytes = size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
    this.#reserve(lengthBytes - 1);
    this.#buffer.copyWithin(mark + lengthBytes, mark + 1, this.length);
    this.length += lengthBytes - 1;
    let rest = size;
    let at = mark;
    while (rest > 0x7f) {
      this.#buffer[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buffer[at] = rest;
  }

  #reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.#buffer.length) return;
    let size = Math.max(256, this.#buffer.length * 2);
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buffer.copy(grown, 0, 0, this.length);
    this.#buffer = grown;
  }
}

/** 0–15 from a lowercase or uppercase hex digit's char code. */
function hexDigit(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}
