/**
 * Loaded into a process with `NODE_OPTIONS=--require <this file>` when BENCH_PROFILE_DIR is set: the
 * first SIGURG starts a CPU profile and a sampling heap profile (allocations, including objects the GC
 * has already collected), the second stops both and writes, into BENCH_PROFILE_DIR,
 * `<label>.cpuprofile` (the format `node --cpu-prof` writes), `<label>.heapprofile` and
 * `<label>.window.json` (CPU time, GC pauses and RSS over the window). A window, not the whole life
 * that `--cpu-prof` records: start-up (module loading, Nest's init) would otherwise bury the jobs.
 * BENCH_PROFILE_LABEL names the files. @defaultValue the app (`api`, `io-consumer`) or the script's name
 */
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

/** Microseconds between CPU samples: 4× finer than `--cpu-prof`'s default, still cheap. */
const SAMPLING_INTERVAL_US = 250;
/** Bytes between allocation samples (V8's default is 32 KiB too). */
const HEAP_SAMPLING_INTERVAL = 32_768;

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) startProfileControl(dir, process.env.BENCH_PROFILE_LABEL ?? labelOf(process.argv[1] ?? ''));

/** `api` for dist/apps/api/src/main.js, `bullmq-worker` for dist/bench/raw/bullmq-worker.js. */
function labelOf(script: string): string {
  return (
    /apps\/([^/]+)\/src\/main\.js$/.exec(script)?.[1] ??
    (path.basename(script, '.js') || `pid-${process.pid}`)
  );
}

interface GcTally {
  count: number;
  ms: number;
  byKind: Record<string, { count: number; ms: number }>;
}

const GC_KINDS: Record<number, string> = {
  1: 'scavenge',
  2: 'mark-compact',
  4: 'incremental',
  8: 'weak-callbacks',
  16: 'minor-mark-sweep',
};

function startProfileControl(outputDir: string, label: string): void {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  let window:
    | {
        startedAt: number;
        cpu: NodeJS.CpuUsage;
        mainThreadCpu: NodeJS.CpuUsage;
        gc: GcTally;
        observer: PerformanceObserver;
      }
    | undefined;

  const start = async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: HEAP_SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    const gc: GcTally = { count: 0, ms: 0, byKind: {} };
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) countGc(gc, entry);
    });
    observer.observe({ entryTypes: ['gc'] });
    await post('Profiler.start');
    window = {
      startedAt: performance.now(),
      cpu: process.cpuUsage(),
      mainThreadCpu: process.threadCpuUsage(),
      gc,
      observer,
    };
  };

  const stop = async () => {
    if (!window) return;
    const { startedAt, cpu, mainThreadCpu, gc, observer } = window;
    window = undefined;
    const used = process.cpuUsage(cpu);
    const usedByMainThread = process.threadCpuUsage(mainThreadCpu);
    const wallMs = performance.now() - startedAt;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    const { profile: heap } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    observer.disconnect();
    write(`${label}.cpuprofile`, profile);
    write(`${label}.heapprofile`, heap);
    // Written last: its presence tells the bench that all three are complete.
    write(`${label}.window.json`, {
      label,
      pid: process.pid,
      wallMs,
      cpuUserMs: used.user / 1000,
      cpuSystemMs: used.system / 1000,
      // The CPU profile samples the main thread only: its µs per job are shares of this thread's time.
      mainThreadCpuMs: (usedByMainThread.user + usedByMainThread.system) / 1000,
      gc,
      rssMiB: process.memoryUsage.rss() / 2 ** 20,
    });
  };

  const write = (name: string, content: unknown) => {
    const file = path.join(outputDir, name);
    writeFileSync(`${file}.tmp`, JSON.stringify(content));
    renameSync(`${file}.tmp`, file);
  };

  // SIGURG: ignored by default and not one of the signals Nest's shutdown hooks end the app on (SIGUSR2
  // is), so a process without this preload shrugs it off. One toggle at a time: a second signal that arrives while the first is handled waits its turn.
  let toggling = Promise.resolve();
  process.on('SIGURG', () => {
    toggling = toggling
      .then(() => (window ? stop() : start()))
      .catch((error: unknown) => console.error(`profile-preload: ${String(error)}`));
  });
}

function countGc(gc: GcTally, entry: PerformanceEntry): void {
  const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
  const kind = GC_KINDS[detail?.kind ?? 0] ?? 'other';
  gc.count++;
  gc.ms += entry.duration;
  const tally = (gc.byKind[kind] ??= { count: 0, ms: 0 });
  tally.count++;
  tally.ms += entry.duration;
}
