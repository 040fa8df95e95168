import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON: the same value always gives the same text, whatever its key order, so an
 * Idempotency-Key fingerprint does not depend on how a client's JSON library orders fields.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}
