/** Nest injection tokens for the api's plain-class dependencies. */
export const CONFIG = Symbol('SWITCHYARD_CONFIG');
export const REDIS = Symbol('SWITCHYARD_REDIS');
