import { createHash, randomBytes } from 'node:crypto';

/**
 * How the fuzzed stack authenticates, in one place. `none` runs the api with AUTH=none; `keys` gives
 * it one API key with every scope (entry `<tenant>:<scopes>:<sha256 hex>`, issue 8) and sends that
 * key on every fuzzed request, so the fuzz reaches the handlers rather than stopping at 401.
 */
type AuthMode = 'none' | 'keys';
const AUTH_MODE = 'none' as AuthMode;

const FUZZ_KEY = randomBytes(32).toString('base64url');
const FUZZ_SCOPES = ['jobs:write', 'jobs:read', 'jobs:cancel', 'admin'].join('+');

/** Environment for every service of the fuzzed stack. */
export function authEnv(): Record<string, string> {
  if (AUTH_MODE === 'none') return { AUTH: 'none' };
  const hash = createHash('sha256').update(FUZZ_KEY).digest('hex');
  return { AUTH: 'keys', API_KEYS: `fuzz:${FUZZ_SCOPES}:${hash}` };
}

/** Headers sent on every fuzzed request; a generated header of the same name replaces them. */
export function headers(): Record<string, string> {
  return AUTH_MODE === 'none' ? {} : { authorization: `Bearer ${FUZZ_KEY}` };
}
