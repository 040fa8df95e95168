import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKeysError } from './errors';
import { isScope, TENANT_NAME, type Principal, type Scope } from './scopes';

interface KeyEntry extends Principal {
  readonly hash: Buffer;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Keys this module makes start with this, so a leaked one is easy to recognise in a secret scanner. */
const KEY_PREFIX = 'sy_';

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses `<tenant>:<scopes>:<sha256 hex>` entries separated by commas or newlines; blank lines and lines
 * starting with `#` are skipped.
 * @throws ApiKeysError naming every bad entry by position, never echoing a hash.
 */
export function parseApiKeys(text: string): KeyEntry[] {
  const entries: KeyEntry[] = [];
  const problems: string[] = [];
  const items = text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0 && !item.startsWith('#'));
  for (const [index, item] of items.entries()) {
    // Scopes hold colons themselves (jobs:write): the tenant ends at the first colon, the hash starts at the last.
    const first = item.indexOf(':');
    const last = item.lastIndexOf(':');
    const where = `entry ${index + 1}`;
    if (first <= 0 || last <= first) {
      problems.push(`${where}: write <tenant>:<scopes>:<sha256 hex of the key>`);
      continue;
    }
    const [tenant, scopeList, hash] = [
      item.slice(0, first),
      item.slice(first + 1, last),
      item.slice(last + 1),
    ];
    const scopes = scopeList.split('+').filter(Boolean);
    const bad = scopes.filter((scope) => !isScope(scope));
    if (!TENANT_NAME.test(tenant)) problems.push(`${where}: tenant must match ${TENANT_NAME.source}`);
    if (scopes.length === 0 || bad.length > 0)
      problems.push(`${where}: scopes are jobs:write, jobs:read, jobs:cancel, admin joined by +`);
    if (!SHA256_HEX.test(hash.toLowerCase()))
      problems.push(`${where}: the last field is the key's SHA-256 as 64 hex digits, not the key itself`);
    else entries.push({ tenant, scopes: new Set(scopes as Scope[]), hash: Buffer.from(hash, 'hex') });
  }
  if (problems.length > 0) throw new ApiKeysError(`invalid API keys:\n  ${problems.join('\n  ')}`);
  return entries;
}

/** The configured keys, by hash only: a key itself is never stored. */
export class ApiKeyRing {
  readonly #entries: readonly KeyEntry[];

  constructor(entries: readonly KeyEntry[]) {
    this.#entries = entries;
  }

  static parse(text: string): ApiKeyRing {
    return new ApiKeyRing(parseApiKeys(text));
  }

  get size(): number {
    return this.#entries.length;
  }

  /**
   * The principal a key belongs to, or undefined. Every entry is compared, in constant time, so the time
   * taken says nothing about which entry (or how much of a hash) matched.
   */
  authenticate(key: string): Principal | undefined {
    const hash = createHash('sha256').update(key, 'utf8').digest();
    let found: KeyEntry | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.hash, hash) && !found) found = entry;
    }
    return found ? { tenant: found.tenant, scopes: found.scopes } : undefined;
  }
}

/** A new random key and the API_KEYS entry that admits it. */
export function createApiKey(tenant: string, scopes: readonly string[]): { key: string; entry: string } {
  if (!TENANT_NAME.test(tenant)) throw new ApiKeysError(`tenant must match ${TENANT_NAME.source}`);
  const bad = scopes.filter((scope) => !isScope(scope));
  if (scopes.length === 0 || bad.length > 0) {
    throw new ApiKeysError(
      `unknown scope(s) ${bad.join(', ') || '(none)'}: use jobs:write, jobs:read, jobs:cancel, admin joined by +`,
    );
  }
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, entry: `${tenant}:${scopes.join('+')}:${sha256Hex(key)}` };
}
