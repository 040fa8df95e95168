export const CONSUMER_SPEC = Symbol('CONSUMER_SPEC');
export const CONSUMER_CONFIG = Symbol('CONSUMER_CONFIG');
