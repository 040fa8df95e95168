export { envSchema, type SwitchyardConfig } from './env-schema';
export { loadConfig, ConfigError } from './load-config';
