import type { SwitchyardConfig } from './env-schema';
import { ConfigError } from './errors';
import { loadConfig } from './load-config';

/** sysexits.h EX_CONFIG: what an orchestrator or a script can tell apart from a crash. */
export const EX_CONFIG = 78;

/**
 * A service's start-up settings, or exit 78 after one line on stderr naming what to fix: a service
 * never starts half-configured, and never runs open by accident. `andThen` loads what else start-up
 * needs from the config (the api's keys); a `ConfigError` it throws exits the same way. Any other
 * error is a bug and is thrown.
 */
export function loadConfigOrExit(service: string): SwitchyardConfig;
export function loadConfigOrExit<T>(service: string, andThen: (config: SwitchyardConfig) => T): T;
export function loadConfigOrExit<T>(
  service: string,
  andThen?: (config: SwitchyardConfig) => T,
): SwitchyardConfig | T {
  try {
    const config = loadConfig();
    return andThen ? andThen(config) : config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${service}: ${error.message}`);
    process.exit(EX_CONFIG);
  }
}
