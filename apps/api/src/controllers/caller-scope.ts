import { isAdmin, type Principal } from '@switchyard/auth';
import type { JobScope } from '@switchyard/queue';

/** An admin sees every tenant's jobs; everyone else only their own. */
export function jobScopeOf(caller: Principal): JobScope {
  return isAdmin(caller) ? {} : { tenant: caller.tenant };
}
