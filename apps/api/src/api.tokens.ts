/** The config is a plain object, not a class: it is injected by this token. */
export const CONFIG = Symbol('SWITCHYARD_CONFIG');
