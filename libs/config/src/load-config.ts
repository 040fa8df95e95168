import { readFileSync } from 'node:fs';
import { envSchema, type SwitchyardConfig } from './env-schema';
import { ConfigError } from './errors';

/**
 * Reads and validates the environment once. Empty strings count as unset, so `FOO=` in a
 * compose file or chart falls back to the default instead of failing.
 * @throws ConfigError naming every bad variable and what it must be.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SwitchyardConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key in envSchema.shape && value !== undefined && value !== '',
    ),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `  ${issue.path.join('.')}=${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  for (const lane of [
    config.IO_LANE,
    config.CPU_LANE,
    ...(config.LANE ? [config.LANE] : []),
    ...Object.keys(config.LANE_REDIS_URLS),
  ]) {
    if (!config.LANES.includes(lane)) {
      throw new ConfigError(
        `invalid configuration:\n  lane "${lane}" is not in LANES=${config.LANES.join(',')}: add it to LANES`,
      );
    }
  }
  if (config.AUTO_ROUTING_CPU_LOW >= config.AUTO_ROUTING_CPU_HIGH) {
    throw new ConfigError(
      `invalid configuration:\n  AUTO_ROUTING_CPU_LOW=${config.AUTO_ROUTING_CPU_LOW} must be below AUTO_ROUTING_CPU_HIGH=${config.AUTO_ROUTING_CPU_HIGH} (the gap is the hysteresis)`,
    );
  }
  if (config.REDIS_MODE === 'standalone' && config.REDIS_URL.includes(',')) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_URL lists several URLs: set REDIS_MODE=cluster for the seed nodes of a Redis Cluster, or give one URL',
    );
  }
  if (config.REDIS_PASSWORD_FILE) {
    const password = readPassword(config.REDIS_PASSWORD_FILE);
    config.REDIS_URL = config.REDIS_URL.split(',')
      .map((url) => withPassword(url.trim(), password))
      .join(',');
  }
  return config;
}

/** The password in `file`, one trailing newline dropped. */
function readPassword(file: string): string {
  let password: string;
  try {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(
      `invalid configuration:\n  REDIS_PASSWORD_FILE=${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); mount the Redis password Secret there or unset it`,
    );
  }
  if (!password) {
    throw new ConfigError(
      `invalid configuration:\n  REDIS_PASSWORD_FILE=${JSON.stringify(file)}: the file is empty`,
    );
  }
  return password;
}

/** A Redis URL with `password` (percent-encoded, as a URL's userinfo must be). */
function withPassword(redisUrl: string, password: string): string {
  const url = new URL(redisUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}
