import { ConfigError, envSchema, type SwitchyardConfig } from '@switchyard/config';
import { TaskCatalog } from './task-catalog';
import type { TaskCatalogOptions } from './task-catalog-options';
import { cpuHashTask } from './tasks/cpu-hash.task';
import { cpuMandelbrotTask } from './tasks/cpu-mandelbrot.task';
import { cpuMatmulTask } from './tasks/cpu-matmul.task';
import { cpuPrimesTask } from './tasks/cpu-primes.task';
import { createDiagCrashTask } from './tasks/diag-crash.task';
import { diagSpinTask } from './tasks/diag-spin.task';
import { createIoHttpTask } from './tasks/io-http.task';
import { ioSleepTask } from './tasks/io-sleep.task';

/** Every built-in task; the diagnostic ones only when asked for. */
export function createTaskCatalog(options: TaskCatalogOptions): TaskCatalog {
  const catalog = new TaskCatalog()
    .register(ioSleepTask)
    .register(
      createIoHttpTask({
        allowedHosts: options.httpAllowedHosts,
        allowedCidrs: options.httpAllowedCidrs,
        redactHeaders: options.httpRedactHeaders,
      }),
    )
    .register(cpuPrimesTask)
    .register(cpuHashTask)
    .register(cpuMandelbrotTask)
    .register(cpuMatmulTask);
  if (options.diagnosticTasks) {
    catalog.register(createDiagCrashTask(options.allowProcessExit ?? false)).register(diagSpinTask);
  }
  return catalog;
}

/** The variables a catalog is built from; every other one is ignored. */
const CATALOG_VARIABLES = [
  'HTTP_ALLOWED_HOSTS',
  'HTTP_ALLOWED_CIDRS',
  'HTTP_REDACT_HEADERS',
  'DIAGNOSTIC_TASKS',
] as const;

/** The settings a catalog is built from, as the app config holds them. */
export type CatalogSettings = Pick<SwitchyardConfig, (typeof CATALOG_VARIABLES)[number]>;

/** The catalog options of a loaded config: a service that has its config builds its catalog from it. */
export function catalogOptionsFrom(config: CatalogSettings): TaskCatalogOptions {
  return {
    httpAllowedHosts: config.HTTP_ALLOWED_HOSTS,
    httpAllowedCidrs: config.HTTP_ALLOWED_CIDRS,
    httpRedactHeaders: config.HTTP_REDACT_HEADERS,
    diagnosticTasks: config.DIAGNOSTIC_TASKS,
  };
}

/**
 * Reads `HTTP_ALLOWED_HOSTS`, `HTTP_ALLOWED_CIDRS`, `HTTP_REDACT_HEADERS` and `DIAGNOSTIC_TASKS` with the same
 * rules as the app config, ignoring every other variable (a thread or child must not fail on settings it
 * does not use).
 * @throws ConfigError naming a bad variable.
 */
export function catalogOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TaskCatalogOptions {
  const present = Object.fromEntries(
    CATALOG_VARIABLES.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [
      key,
      env[key],
    ]),
  );
  const parsed = envSchema
    .pick({
      HTTP_ALLOWED_HOSTS: true,
      HTTP_ALLOWED_CIDRS: true,
      HTTP_REDACT_HEADERS: true,
      DIAGNOSTIC_TASKS: true,
    })
    .safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `  ${key}=${JSON.stringify(present[key])}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return catalogOptionsFrom(parsed.data);
}

/** The catalog as configured by the environment, for use inside threads and child processes. */
export function taskCatalogFromEnv(env: NodeJS.ProcessEnv = process.env): TaskCatalog {
  return createTaskCatalog(catalogOptionsFromEnv(env));
}
