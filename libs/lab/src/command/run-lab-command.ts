import os from 'node:os';
import path from 'node:path';
import type { LabResults } from '../lab-results';
import { runLab, StatusLineProgress, type LabTarget } from '../measure';
import { runAdviseCommand } from '../advise';
import { formatSummary, writeReport } from '../report';
import { KubeTarget, LocalStackTarget } from '../targets';
import { LAB_USAGE, LabUsageError, parseLabArgs, type LabCommandOptions } from './parse-lab-args';

/** Exit codes of `switchyard lab`. */
export const LAB_EXIT = { ok: 0, cellsFailed: 1, usage: 2, interrupted: 130 } as const;

export function createTarget(options: LabCommandOptions, env: NodeJS.ProcessEnv = process.env): LabTarget {
  if (options.kube) {
    return new KubeTarget({
      namespace: options.namespace,
      apiUrl: options.apiUrl ?? '',
      apiKey: options.apiKey,
      context: options.context,
      quick: options.quick,
      only: options.only,
    });
  }
  return new LocalStackTarget({
    quick: options.quick,
    only: options.only,
    cores: os.availableParallelism(),
    redisUrl: env.REDIS_URL,
    redisMode: env.REDIS_MODE === 'cluster' ? 'cluster' : 'standalone',
    logDir: options.logDir,
    env: env.JAEGER_UI_URL ? { JAEGER_UI_URL: env.JAEGER_UI_URL } : {},
  });
}

export function exitCodeOf(results: LabResults, interrupted: boolean): number {
  if (interrupted) return LAB_EXIT.interrupted;
  return results.partial || results.cells.some((cell) => cell.error) ? LAB_EXIT.cellsFailed : LAB_EXIT.ok;
}

/**
 * `switchyard lab`: parses the flags, runs the matrix on a local stack or a cluster, writes the report
 * and prints a summary. SIGINT/SIGTERM stop it cleanly (a second one exits at once). Returns the exit code.
 */
export async function runLabCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv[0] === 'advise') return runAdviseCommand(argv.slice(1));
  let options: LabCommandOptions;
  try {
    const parsed = parseLabArgs(argv, new Date(), env);
    if (parsed.help) {
      process.stdout.write(`${LAB_USAGE}\n`);
      return LAB_EXIT.ok;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof LabUsageError)) throw error;
    process.stderr.write(`switchyard lab: ${error.message}\nRun "switchyard lab --help" for the options.\n`);
    return LAB_EXIT.usage;
  }
  const progress = new StatusLineProgress(process.stderr);
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(LAB_EXIT.interrupted);
    progress.message(
      `${signal}: stopping after cleanup (stacks stopped, replica counts restored); again to exit at once`,
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const target = createTarget(options, env);
    const results = await runLab({
      target,
      options: {
        quick: options.quick,
        repeat: options.repeat,
        maxRepeat: options.maxRepeat,
        only: options.only,
        jaegerUiUrl: env.JAEGER_UI_URL,
      },
      progress,
      signal: controller.signal,
    });
    const written = await writeReport(results, path.resolve(options.out));
    process.stdout.write(`\n${formatSummary(results)}\n`);
    process.stdout.write(
      `Report: ${written.html}\n        ${written.markdown}\n        ${written.resultsJson}\n`,
    );
    if (results.partial) process.stdout.write(`Partial results: ${results.partialReason}\n`);
    return exitCodeOf(results, controller.signal.aborted);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
