import { readFileSync } from 'node:fs';
import { formatTable } from '../support/format-table';
import {
  summarizeCpuProfile,
  summarizeHeapProfile,
  type Attribution,
  type CpuProfile,
  type HeapProfile,
} from './profile-attribution';

/**
 * Functions worth seeing inclusively (everything they call included) on a job's path: BullMQ's two
 * scripts per job, the api's write, the consumer's per-attempt work.
 */
export const DEFAULT_INCLUSIVE = [
  'moveToActive',
  'moveToFinished',
  'addJob',
  'addAtomically',
  'enqueueBatch',
  'processJob',
  'callProcessJob',
  'process',
  'run',
  'attemptSettled',
  'attemptStarted',
];

export interface ReportOptions {
  /** Jobs the profiled window ran: adds a per-job column. */
  jobs?: number;
  /** Functions listed by self time. @defaultValue 25 */
  top?: number;
  inclusive?: readonly string[];
}

function share(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)} %`;
}

/** The attribution as three tables: stages, packages, top functions; `unit` turns an amount into text. */
function formatAttribution(
  attribution: Attribution,
  options: ReportOptions,
  unit: { name: string; perJobName: string; format(amount: number): string; perJob(amount: number, jobs: number): string },
): string {
  const { jobs } = options;
  const perJob = (amount: number) => (jobs ? [unit.perJob(amount, jobs)] : []);
  const perJobHeader = jobs ? [unit.perJobName] : [];
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  const stages = formatTable(
    ['stage (innermost on the stack)', unit.name, 'share', ...perJobHeader],
    sorted(attribution.byStage).map(([stage, amount]) => [
      stage,
      unit.format(amount),
      share(amount, attribution.total),
      ...perJob(amount),
    ]),
  );
  const packages = formatTable(
    ['package (self)', unit.name, 'share', ...perJobHeader],
    sorted(attribution.byPackage)
      .slice(0, 15)
      .map(([pkg, amount]) => [pkg, unit.format(amount), share(amount, attribution.total), ...perJob(amount)]),
  );
  const functions = formatTable(
    ['function (self)', 'package', 'where', unit.name, 'share', ...perJobHeader],
    attribution.functions
      .slice(0, options.top ?? 25)
      .map((fn) => [
        fn.functionName,
        fn.pkg,
        fn.location,
        unit.format(fn.self),
        share(fn.self, attribution.total),
        ...perJob(fn.self),
      ]),
  );
  const inclusive = formatTable(
    ['function (inclusive)', unit.name, 'share', ...perJobHeader],
    [...attribution.inclusive]
      .filter(([, amount]) => amount > 0)
      .map(([name, amount]) => [name, unit.format(amount), share(amount, attribution.total), ...perJob(amount)]),
  );
  return [stages, packages, functions, inclusive].join('\n\n');
}

/** Where the CPU time of one `.cpuprofile` went, per job when `jobs` is given. */
export function formatCpuProfile(profile: CpuProfile, options: ReportOptions = {}): string {
  const summary = summarizeCpuProfile(profile, options.inclusive ?? DEFAULT_INCLUSIVE);
  const header = `${summary.wallMs.toFixed(0)} ms profiled, ${summary.total.toFixed(0)} ms busy (not idle)${
    options.jobs ? `, ${options.jobs} jobs: ${((summary.total * 1000) / options.jobs).toFixed(1)} µs busy per job` : ''
  }`;
  return `${header}\n\n${formatAttribution(summary, options, {
    name: 'ms',
    perJobName: 'µs/job',
    format: (ms) => ms.toFixed(1),
    perJob: (ms, jobs) => ((ms * 1000) / jobs).toFixed(1),
  })}`;
}

/** Where the allocations of one `.heapprofile` went (sampled), per job when `jobs` is given. */
export function formatHeapProfile(profile: HeapProfile, options: ReportOptions = {}): string {
  const summary = summarizeHeapProfile(profile, options.inclusive ?? DEFAULT_INCLUSIVE);
  const mib = summary.total / 2 ** 20;
  const header = `${mib.toFixed(1)} MiB allocated (sampled)${
    options.jobs ? `, ${options.jobs} jobs: ${(summary.total / 1024 / options.jobs).toFixed(1)} KiB per job` : ''
  }`;
  return `${header}\n\n${formatAttribution(summary, options, {
    name: 'KiB',
    perJobName: 'bytes/job',
    format: (bytes) => (bytes / 1024).toFixed(0),
    perJob: (bytes, jobs) => (bytes / jobs).toFixed(0),
  })}`;
}

/** Reads a `.cpuprofile` or `.heapprofile` file and formats it. */
export function formatProfileFile(file: string, options: ReportOptions = {}): string {
  const content = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | HeapProfile;
  return 'head' in content ? formatHeapProfile(content, options) : formatCpuProfile(content, options);
}
