/** The config is a plain object, not a class: it is injected by this token. */
export const CONFIG = Symbol('SWITCHYARD_CONFIG');

/** The api's Redis connection, a `Redis` or a `Cluster` (REDIS_MODE): a type union, injected by this token. */
export const REDIS = Symbol('SWITCHYARD_REDIS');
