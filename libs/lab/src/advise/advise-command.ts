import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { LabResults } from '../lab-results';
import { adviseCapacity, type CapacityAdvice, type CapacityTarget } from './capacity-advice';
import { capacityInputs } from './capacity-inputs';
import { formatReplay, replayAdvice } from './advice-replay';
import { renderHelmValues } from './helm-values';

export const ADVISE_USAGE = `Usage: switchyard lab advise --rate <jobs/s> --p99 <ms> [options]

Turns a lab run's measured service times, CPU per job and scaling efficiency into per-lane replicas,
POOL_SIZE / IO_CONCURRENCY and CPU requests (an M/M/c queue with Erlang C), prints the reasoning and
writes a Helm values file for helm/switchyard.

Options:
  --rate R              jobs/s for every lane advised, or per lane: cpu=40,io=800
  --p99 MS              end-to-end p99 target in ms
  --lane cpu|io         advise this lane only (default: both, or the lanes named in --rate)
  --results FILE        a lab results.json (default: the newest reports/*/results.json)
  --cores-per-pod N     cores a compute pod may use, its largest pool (default: the lab machine's cores)
  --values FILE         where to write the values file (default: advice-values.yaml beside the results)
  --replay              check it here: start a local stack shaped as advised, send each lane its rate
                        (Poisson arrivals) and compare the measured p99 with the prediction and target
  --replay-seconds N    how long the replay sends jobs (default 20)
  --log-dir DIR         (--replay) keep the local services' logs here
  -h, --help            show this help`;

export class AdviseUsageError extends Error {
  override readonly name = 'AdviseUsageError';
}

const positive = (flag: string, value: string | undefined): number => {
  const number = Number(value);
  if (value === undefined || !Number.isFinite(number) || number <= 0)
    throw new AdviseUsageError(`--${flag} must be a positive number, got "${value ?? ''}"`);
  return number;
};

function parseRates(
  value: string | undefined,
  lane: string | undefined,
): Pick<CapacityTarget, 'cpuRatePerSec' | 'ioRatePerSec'> {
  if (value === undefined)
    throw new AdviseUsageError('--rate is required: the jobs per second to carry, e.g. --rate 40');
  if (!value.includes('=')) {
    const rate = positive('rate', value);
    return {
      ...(lane !== 'io' ? { cpuRatePerSec: rate } : {}),
      ...(lane !== 'cpu' ? { ioRatePerSec: rate } : {}),
    };
  }
  const rates: Pick<CapacityTarget, 'cpuRatePerSec' | 'ioRatePerSec'> = {};
  for (const entry of value.split(',')) {
    const [name, rate] = entry.split('=');
    if (name === 'cpu') rates.cpuRatePerSec = positive('rate', rate);
    else if (name === 'io') rates.ioRatePerSec = positive('rate', rate);
    else throw new AdviseUsageError(`--rate takes cpu=N,io=M; "${name}" is not a lane`);
  }
  return rates;
}

/** The newest results.json under reports/, for `advise` without --results. */
function newestResults(directory: string): string {
  let newest: { file: string; mtime: number } | undefined;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name, 'results.json');
    if (!entry.isDirectory()) continue;
    try {
      const mtime = statSync(file).mtimeMs;
      if (!newest || mtime > newest.mtime) newest = { file, mtime };
    } catch {
      // a report folder without results (a run that failed early)
    }
  }
  if (!newest)
    throw new AdviseUsageError(
      `no reports/*/results.json here: run "switchyard lab" first or pass --results`,
    );
  return newest.file;
}

function readResults(file: string): LabResults {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabResults;
  } catch (error) {
    throw new AdviseUsageError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The advice as the terminal shows it: the model, then per lane the numbers and how they were reached. */
export function formatAdvice(advice: CapacityAdvice): string {
  const lines = [...advice.model, ''];
  for (const lane of advice.lanes) {
    const setting =
      lane.lane === 'cpu'
        ? `POOL_SIZE ${lane.perReplica} (${lane.executionModel})`
        : `IO_CONCURRENCY ${lane.perReplica}`;
    lines.push(
      `${lane.lane} lane at ${lane.ratePerSec} jobs/s: ${lane.replicas} replica(s) × ${setting}, CPU request ${lane.cpuRequestMillicores}m per pod; predicted p99 ${lane.predictedP99Ms.toFixed(0)} ms`,
      ...lane.reasoning.map((line) => `  - ${line}`),
      '',
    );
  }
  for (const reason of advice.refused) lines.push(`not advised: ${reason}`);
  return lines.join('\n').trimEnd();
}

/**
 * `switchyard lab advise`: returns the exit code (0 advised, 1 a lane could not be advised or the
 * replay missed the target, 2 usage).
 */
export async function runAdviseCommand(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        rate: { type: 'string' },
        p99: { type: 'string' },
        lane: { type: 'string' },
        results: { type: 'string' },
        'cores-per-pod': { type: 'string' },
        values: { type: 'string' },
        replay: { type: 'boolean', default: false },
        'replay-seconds': { type: 'string' },
        'log-dir': { type: 'string' },
      },
    });
    if (values.help) {
      process.stdout.write(`${ADVISE_USAGE}\n`);
      return 0;
    }
    if (values.lane !== undefined && values.lane !== 'cpu' && values.lane !== 'io')
      throw new AdviseUsageError(`--lane is cpu or io, got "${values.lane}"`);
    const resultsFile = path.resolve(cwd, values.results ?? newestResults(path.join(cwd, 'reports')));
    const results = readResults(resultsFile);
    const target: CapacityTarget = {
      ...parseRates(values.rate, values.lane),
      p99Ms: positive('p99', values.p99),
      ...(values['cores-per-pod']
        ? { coresPerPod: Math.floor(positive('cores-per-pod', values['cores-per-pod'])) }
        : {}),
    };
    const advice = adviseCapacity(capacityInputs(results), target);
    const valuesFile = path.resolve(
      cwd,
      values.values ?? path.join(path.dirname(resultsFile), 'advice-values.yaml'),
    );
    process.stdout.write(
      `From ${resultsFile} (${results.machine.cores} cores, ${results.startedAt}):\n\n${formatAdvice(advice)}\n`,
    );
    if (advice.lanes.length > 0) {
      await writeFile(
        valuesFile,
        renderHelmValues(advice, [
          `switchyard lab advise ${argv.join(' ')}`,
          `from ${resultsFile}; apply with: helm upgrade <release> helm/switchyard -f <your values> -f ${path.basename(valuesFile)}`,
        ]),
      );
      process.stdout.write(`\nHelm values: ${valuesFile}\n`);
    }
    if (!values.replay || advice.lanes.length === 0) return advice.refused.length > 0 ? 1 : 0;
    const seconds = values['replay-seconds'] ? positive('replay-seconds', values['replay-seconds']) : 20;
    process.stdout.write(
      `\nReplaying ${seconds} s of the advised rates on a local stack shaped as advised…\n`,
    );
    const replay = await replayAdvice(advice, results, {
      seconds,
      p99Ms: target.p99Ms,
      redisUrl: process.env.REDIS_URL,
      logDir: values['log-dir'],
    });
    process.stdout.write(`${formatReplay(replay, target.p99Ms)}\n`);
    return advice.refused.length > 0 || replay.lanes.some((lane) => !lane.met) ? 1 : 0;
  } catch (error) {
    const usage = error instanceof AdviseUsageError || (error instanceof TypeError && 'code' in error);
    if (!usage) throw error;
    process.stderr.write(
      `switchyard lab advise: ${error.message}\nRun "switchyard lab advise --help" for the options.\n`,
    );
    return 2;
  }
}
