/** What a job is bound by. Comes from the task's default; a client may override it. */
export const PROFILES = ['io', 'cpu'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * What a client may ask for: a profile, or `auto` — route by the task's measured CPU/wall ratio among the
 * lanes of the profiles the task declares (its declared default profile until enough samples exist).
 */
export const REQUESTED_PROFILES = [...PROFILES, 'auto'] as const;
export type RequestedProfile = (typeof REQUESTED_PROFILES)[number];
