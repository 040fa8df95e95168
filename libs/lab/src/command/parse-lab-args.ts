import { parseArgs } from 'node:util';
import { EXPERIMENT_NAMES, type ExperimentName } from '../lab-results';
import { DEFAULT_MAX_REPEAT, QUICK_MAX_REPEAT } from '../measure';

/** What `switchyard lab` was asked to do. */
export interface LabCommandOptions {
  quick: boolean;
  /** Repeats per cell at least. @defaultValue 3 */
  repeat: number;
  /**
   * Repeats per cell at most; between the two a cell repeats until its throughput median's 95 %
   * interval is within ±5 %. @defaultValue 10, or 3 with --quick (and never below --repeat)
   */
  maxRepeat: number;
  /** @defaultValue reports/<timestamp>/ */
  out: string;
  only?: ExperimentName[];
  kube: boolean;
  /** @defaultValue default */
  namespace: string;
  context?: string;
  apiUrl?: string;
  /**
   * (--kube) Sent as `Authorization: Bearer <key>`: `--api-key`, else env SWITCHYARD_API_KEY. Never printed.
   * @defaultValue none (an api run with AUTH=none)
   */
  apiKey?: string;
  /** Where the local services write their logs. @defaultValue logs are discarded */
  logDir?: string;
}

export type ParsedLabArgs = { help: true } | { help: false; options: LabCommandOptions };

export class LabUsageError extends Error {
  override readonly name = 'LabUsageError';
}

export const LAB_USAGE = `Usage: switchyard lab [options]
       switchyard lab advise --rate <jobs/s> --p99 <ms> [--results results.json]   (see advise --help)

Measures how Switchyard's concurrency models scale — event loop, worker threads, processes,
replicas — and writes results.json, report.md and report.html.

Options:
  --quick               a small matrix that still shows the claims (a few minutes); 3 repeats
  --repeat N            repeats per cell at least (default 3)
  --max-repeat N        repeats per cell at most (default 10; 3 with --quick): a cell repeats
                        until its throughput median's 95 % interval is within ±5 % or this cap
  --out DIR             where to write the report (default reports/<timestamp>/)
  --only LIST           experiments to run, comma-separated: ${EXPERIMENT_NAMES.join(', ')}
  --log-dir DIR         keep the local services' logs here
  --kube                run against a Kubernetes cluster instead of a local stack
  --namespace NS        (--kube) the release's namespace (default: default)
  --context NAME        (--kube) kubeconfig context (default: current, or in-cluster)
  --api-url URL         (--kube) the Switchyard API Service, e.g. http://switchyard-api:3000
  --api-key KEY         (--kube) API key for it; prefer the env SWITCHYARD_API_KEY (a flag shows in
                        the process list). Give it the admin scope: the misrouting experiment moves
                        CPU jobs onto the io lane, which only admin keys may
  -h, --help            show this help

Ctrl-C stops cleanly: stacks are stopped, replica counts restored, partial results written.`;

function timestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

function parseRepeat(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const repeat = Number(value);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 50) {
    throw new LabUsageError(`--${flag} must be a whole number from 1 to 50, got "${value}"`);
  }
  return repeat;
}

/** The minimum and the cap of repeats; a cap below an explicit minimum is a mistake worth naming. */
function parseRepeats(values: { repeat?: string; 'max-repeat'?: string; quick: boolean }) {
  const repeat = parseRepeat('repeat', values.repeat, 3);
  const defaultCap = Math.max(repeat, values.quick ? QUICK_MAX_REPEAT : DEFAULT_MAX_REPEAT);
  const maxRepeat = parseRepeat('max-repeat', values['max-repeat'], defaultCap);
  if (maxRepeat < repeat) {
    throw new LabUsageError(
      `--max-repeat (${maxRepeat}) is below --repeat (${repeat}): the cap must be at least the minimum`,
    );
  }
  return { repeat, maxRepeat };
}

function parseOnly(value: string | undefined): ExperimentName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(EXPERIMENT_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new LabUsageError(`--only takes experiments from ${EXPERIMENT_NAMES.join(', ')}; got "${value}"`);
  }
  return names as ExperimentName[];
}

function parseApiUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return value;
  } catch {
    throw new LabUsageError(
      `--api-url must be an http(s) URL such as http://switchyard-api:3000, got "${value}"`,
    );
  }
}

/** The key from the flag, else the environment; trimmed, since a key read from a Secret file ends in a newline. */
function parseApiKey(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const key = (flag ?? env.SWITCHYARD_API_KEY)?.trim();
  if (!key) return undefined;
  // Never echo the key: usage errors reach terminals and CI logs.
  if (!/^[\x21-\x7e]{1,512}$/.test(key)) {
    throw new LabUsageError(
      'the API key (--api-key or SWITCHYARD_API_KEY) holds characters an Authorization header cannot carry; use the key `switchyard keys create` printed',
    );
  }
  return key;
}

/**
 * Parses `switchyard lab` arguments; `env` supplies SWITCHYARD_API_KEY when --api-key is absent.
 * @throws LabUsageError naming the bad flag and the fix.
 */
export function parseLabArgs(
  argv: readonly string[],
  now = new Date(),
  env: NodeJS.ProcessEnv = process.env,
): ParsedLabArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        quick: { type: 'boolean', default: false },
        repeat: { type: 'string' },
        'max-repeat': { type: 'string' },
        out: { type: 'string' },
        only: { type: 'string' },
        'log-dir': { type: 'string' },
        kube: { type: 'boolean', default: false },
        namespace: { type: 'string' },
        context: { type: 'string' },
        'api-url': { type: 'string' },
        'api-key': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new LabUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  const kubeOnly = (['namespace', 'context', 'api-url', 'api-key'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (!values.kube && kubeOnly.length > 0) {
    throw new LabUsageError(`${kubeOnly.map((flag) => `--${flag}`).join(', ')} only apply with --kube`);
  }
  const apiUrl = parseApiUrl(values['api-url']);
  if (values.kube && !apiUrl) {
    throw new LabUsageError(
      '--kube needs --api-url, the Switchyard API Service, e.g. --api-url http://switchyard-api:3000',
    );
  }
  return {
    help: false,
    options: {
      quick: values.quick,
      ...parseRepeats(values),
      out: values.out ?? `reports/${timestamp(now)}`,
      only: parseOnly(values.only),
      kube: values.kube,
      namespace: values.namespace ?? 'default',
      context: values.context,
      apiUrl,
      apiKey: values.kube ? parseApiKey(values['api-key'], env) : undefined,
      logDir: values['log-dir'],
    },
  };
}
