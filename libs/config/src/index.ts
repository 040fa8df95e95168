export { envSchema, type SwitchyardConfig } from './env-schema';
export { ConfigError } from './errors';
export { loadConfig } from './load-config';
export { loadConfigOrExit, EX_CONFIG } from './load-config-or-exit';
