/** Validates a numeric option and names it in the error, as a constructor's first act. */
export function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`options.${name} must be an integer of at least ${min} (got ${String(value)})`);
  }
  return value;
}

/** A tenant or lane name as one key segment: no `:` (segment separator) or `{}` (cluster hash tag). */
export function keySegment(name: string): string {
  return encodeURIComponent(name);
}
