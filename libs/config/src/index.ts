export { envSchema, type SwitchyardConfig } from './env-schema';
export { loadConfig, ConfigError } from './load-config';
export { loadConfigOrExit, EX_CONFIG } from './load-config-or-exit';
