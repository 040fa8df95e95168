import { existsSync, readFileSync } from 'node:fs';
import { formatTable } from '../support/format-table';
import {
  callersOf,
  heapNodes,
  selfTimes,
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
  /** Functions whose heaviest call paths are listed. */
  callers?: readonly string[];
  /**
   * CPU time (user + system) the kernel counted for the profiled (main) thread over the window, in ms: per-job
   * figures are then each part's share of it. A profile's samples are wall time (a thread waiting for a
   * core on a busy machine is sampled as running), so its own ms overstate CPU when cores are scarce.
   */
  cpuMs?: number;
}

function share(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)} %`;
}

/** The attribution as three tables: stages, packages, top functions; `unit` turns an amount into text. */
function formatAttribution(
  attribution: Attribution,
  options: ReportOptions,
  unit: {
    name: string;
    perJobName: string;
    format(amount: number): string;
    perJob(amount: number, jobs: number): string;
  },
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
      .map(([pkg, amount]) => [
        pkg,
        unit.format(amount),
        share(amount, attribution.total),
        ...perJob(amount),
      ]),
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
      .map(([name, amount]) => [
        name,
        unit.format(amount),
        share(amount, attribution.total),
        ...perJob(amount),
      ]),
  );
  return [stages, packages, functions, inclusive].join('\n\n');
}

/** Where the CPU time of one `.cpuprofile` went, per job when `jobs` is given. */
export function formatCpuProfile(profile: CpuProfile, options: ReportOptions = {}): string {
  const summary = summarizeCpuProfile(profile, options.inclusive ?? DEFAULT_INCLUSIVE);
  // Per job: a share of the CPU the kernel counted, when known, else of the sampled busy time.
  const scale = options.cpuMs === undefined ? 1 : options.cpuMs / summary.total;
  const perJobOf = (ms: number, jobs: number) => (ms * scale * 1000) / jobs;
  const header = [
    `${summary.wallMs.toFixed(0)} ms profiled, ${summary.total.toFixed(0)} ms sampled busy (not idle)`,
    options.cpuMs === undefined
      ? ''
      : `, ${options.cpuMs.toFixed(0)} ms CPU of the profiled (main) thread counted by the kernel`,
    options.jobs
      ? `; ${options.jobs} jobs: ${perJobOf(summary.total, options.jobs).toFixed(1)} µs per job` +
        (options.cpuMs === undefined ? ' (sampled, not CPU)' : ' (µs/job columns: shares of that CPU time)')
      : '',
  ].join('');
  return `${header}\n\n${formatAttribution(summary, options, {
    name: 'ms',
    perJobName: 'µs/job',
    format: (ms) => ms.toFixed(1),
    perJob: (ms, jobs) => perJobOf(ms, jobs).toFixed(1),
  })}`;
}

/** Where the allocations of one `.heapprofile` went (sampled), per job when `jobs` is given. */
export function formatHeapProfile(profile: HeapProfile, options: ReportOptions = {}): string {
  const summary = summarizeHeapProfile(profile, options.inclusive ?? DEFAULT_INCLUSIVE);
  const mib = summary.total / 2 ** 20;
  const header = `${mib.toFixed(1)} MiB allocated (sampled)${
    options.jobs
      ? `, ${options.jobs} jobs: ${(summary.total / 1024 / options.jobs).toFixed(1)} KiB per job`
      : ''
  }`;
  return `${header}\n\n${formatAttribution(summary, options, {
    name: 'KiB',
    perJobName: 'bytes/job',
    format: (bytes) => (bytes / 1024).toFixed(0),
    perJob: (bytes, jobs) => (bytes / jobs).toFixed(0),
  })}`;
}

/** The heaviest call paths into each of `options.callers`. */
function formatCallers(content: CpuProfile | HeapProfile, options: ReportOptions): string {
  const heap = 'head' in content;
  const { nodes, weight } = heap
    ? (({ nodes: all, bytes }) => ({ nodes: all, weight: bytes }))(heapNodes(content))
    : { nodes: content.nodes, weight: selfTimes(content) };
  // CPU per job as in the other tables: a share of the counted CPU time (idle samples are no share).
  const busy = nodes
    .filter((node) => node.callFrame.functionName !== '(idle)')
    .reduce((sum, node) => sum + (weight.get(node.id) ?? 0), 0);
  const scale = heap || options.cpuMs === undefined ? 1 : options.cpuMs / busy;
  return (options.callers ?? [])
    .map((name) => {
      const paths = callersOf(nodes, weight, name).slice(0, 8);
      return formatTable(
        [
          `callers of ${name} (nearest first)`,
          heap ? 'KiB' : 'ms',
          ...(options.jobs ? [heap ? 'bytes/job' : 'µs/job'] : []),
        ],
        paths.map(({ path, amount }) => [
          path.join(' ← ') || '(top)',
          heap ? (amount / 1024).toFixed(0) : amount.toFixed(1),
          ...(options.jobs
            ? [
                heap
                  ? (amount / options.jobs).toFixed(0)
                  : ((amount * scale * 1000) / options.jobs).toFixed(1),
              ]
            : []),
        ]),
      );
    })
    .join('\n\n');
}

/**
 * Reads a `.cpuprofile` or `.heapprofile` file and formats it. The `<name>.window.json` that
 * `npm run bench:profile` writes beside a profile gives the CPU time, unless `options.cpuMs` does.
 */
export function formatProfileFile(file: string, options: ReportOptions = {}): string {
  const content = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | HeapProfile;
  const window = file.replace(/\.(cpuprofile|heapprofile)$/, '.window.json');
  if (options.cpuMs === undefined && existsSync(window)) {
    const counted = JSON.parse(readFileSync(window, 'utf8')) as {
      cpuUserMs: number;
      cpuSystemMs: number;
      mainThreadCpuMs?: number;
    };
    // The profile samples the main thread: its share of the CPU, when the window counted it.
    options = { ...options, cpuMs: counted.mainThreadCpuMs ?? counted.cpuUserMs + counted.cpuSystemMs };
  }
  const report = 'head' in content ? formatHeapProfile(content, options) : formatCpuProfile(content, options);
  return options.callers?.length ? `${report}\n\n${formatCallers(content, options)}` : report;
}
