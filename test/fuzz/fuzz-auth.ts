import { createApiKey } from '@switchyard/auth';

/**
 * How the fuzzed stack authenticates, in one place: the api runs with AUTH=keys and two keys, a tenant's
 * (the jobs scopes) and an admin's, used in turn, so the fuzz reaches the handlers rather than stopping at
 * 401 and walks both a tenant's paths (the job index) and an admin's (every tenant, BullMQ's lists).
 */
const KEYS = [
  createApiKey('fuzz', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  createApiKey('fuzz-ops', ['admin']),
];
let sent = 0;

/** Environment for every service of the fuzzed stack. */
export function authEnv(): Record<string, string> {
  return { AUTH: 'keys', API_KEYS: KEYS.map(({ entry }) => entry).join(',') };
}

/** Headers sent on every fuzzed request; a generated header of the same name replaces them. */
export function headers(): Record<string, string> {
  return { authorization: `Bearer ${KEYS[sent++ % KEYS.length].key}` };
}
