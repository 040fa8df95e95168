/** What a key may do. `admin` may do everything, across tenants. */
export const SCOPES = ['jobs:write', 'jobs:read', 'jobs:cancel', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Tenant names are ids: they reach Redis keys, logs and metrics, so they stay short and plain. */
export const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Who made a request: the tenant its key belongs to and what the key may do. */
export interface Principal {
  readonly tenant: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** Whether `principal` may do what `scope` allows: `admin` implies every scope. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope) || principal.scopes.has('admin');
}

export function isAdmin(principal: Principal): boolean {
  return principal.scopes.has('admin');
}

/** The tenant of every request when the api runs with `AUTH=none`, and of jobs stored before tenants existed. */
export const ANONYMOUS_TENANT = 'anonymous';

export const ANONYMOUS: Principal = { tenant: ANONYMOUS_TENANT, scopes: new Set(SCOPES) };
