/** What a job is bound by. Comes from the task's default; a client may override it. */
export const PROFILES = ['io', 'cpu'] as const;
export type Profile = (typeof PROFILES)[number];
