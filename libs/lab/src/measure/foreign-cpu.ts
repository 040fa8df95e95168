import { readdirSync, readFileSync } from 'node:fs';

/**
 * A cell is flagged as run on a busy machine when processes outside the stack took more than this
 * share of one core on average over its repeats: on 2 cores a quarter core already moves a
 * 30 ms CPU job's throughput by several per cent.
 */
export const BUSY_FOREIGN_CPU_PERCENT_OF_CORE = 25;

/** CPU time in clock ticks (USER_HZ) at one instant: the machine's and the stack's own. */
export interface ForeignCpuSample {
  /** Time the cores spent running anything (user, nice, system, steal). */
  busyTicks: number;
  /** Every tick of every core, idle included: wall time × cores, in the same unit. */
  totalTicks: number;
  /** The own processes' CPU time. */
  ownTicks: number;
  cores: number;
}

interface ProcessTimes {
  ppid: number;
  /** utime + stime: the process's own threads. */
  selfTicks: number;
  /** cutime + cstime: children it has reaped (process-pool children that exited). */
  reapedChildrenTicks: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields start after the last `)`. */
export function parseProcessStat(text: string): ProcessTimes | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), so field N is at N − 3.
  const at = (field: number) => Number(fields[field - 3]);
  if (fields.length < 15 || !Number.isFinite(at(17))) return undefined;
  return { ppid: at(4), selfTicks: at(14) + at(15), reapedChildrenTicks: at(16) + at(17) };
}

/**
 * Busy and total ticks from /proc/stat's `cpu` line. Busy counts user (guest included), nice, system
 * and steal (another VM's use of this core is CPU the stack could not have); irq and softirq are left
 * out because the kernel charges them to no process, and loopback traffic of the stack itself makes
 * most of it.
 */
export function parseProcStat(text: string): { busyTicks: number; totalTicks: number; cores: number } {
  const line = text.split('\n').find((entry) => entry.startsWith('cpu ')) ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((value) => Number(value) || 0);
  const cores = text.split('\n').filter((entry) => /^cpu\d+ /.test(entry)).length;
  return {
    busyTicks: user + nice + system + (steal ?? 0),
    totalTicks: user + nice + system + idle + iowait + irq + softirq + (steal ?? 0),
    cores: Math.max(1, cores),
  };
}

function readTimes(pid: number): ProcessTimes | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function allProcesses(): Map<number, ProcessTimes> {
  const processes = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = readTimes(Number(entry));
    if (times) processes.set(Number(entry), times);
  }
  return processes;
}

/**
 * CPU ticks of the stack: each root and all its descendants (threads are in a process's own time,
 * reaped children in its children's time), plus this process's own time. This process's children
 * are not counted unless they are roots: a CPU burner that a test starts beside the lab is foreign.
 */
export function ownTicks(rootPids: readonly number[], selfPid = process.pid): number {
  const processes = allProcesses();
  const children = new Map<number, number[]>();
  for (const [pid, times] of processes) children.set(times.ppid, [...(children.get(times.ppid) ?? []), pid]);
  const seen = new Set<number>();
  const pending = rootPids.filter((pid) => pid !== selfPid);
  let ticks = processes.get(selfPid)?.selfTicks ?? 0;
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    const times = processes.get(pid);
    if (seen.has(pid) || !times) continue;
    seen.add(pid);
    ticks += times.selfTicks + times.reapedChildrenTicks;
    pending.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

/** Whether this machine exposes /proc (Linux); elsewhere foreign CPU is not measured. */
export function canMeasureForeignCpu(): boolean {
  try {
    readFileSync('/proc/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

export function sampleForeignCpu(rootPids: readonly number[]): ForeignCpuSample {
  return { ...parseProcStat(readFileSync('/proc/stat', 'utf8')), ownTicks: ownTicks(rootPids) };
}

/**
 * CPU taken by processes outside the stack between two samples, in percent of one core averaged
 * over the interval: (machine busy − own) / (wall time). 100 is one core kept busy throughout.
 */
export function foreignCpuPercentOfCore(start: ForeignCpuSample, end: ForeignCpuSample): number {
  const wallTicksPerCore = (end.totalTicks - start.totalTicks) / end.cores;
  if (wallTicksPerCore <= 0) return 0;
  const foreign = end.busyTicks - start.busyTicks - (end.ownTicks - start.ownTicks);
  return Math.max(0, (100 * foreign) / wallTicksPerCore);
}

/** The CPU ticks of just `pids` (a cell's redis-servers) and of the machine, for their share of a core. */
export function sampleProcessesCpu(pids: readonly number[]): ForeignCpuSample {
  // selfPid 0: the lab's own time is not theirs.
  return { ...parseProcStat(readFileSync('/proc/stat', 'utf8')), ownTicks: ownTicks(pids, 0) };
}

/** CPU the sampled processes used between two samples, in percent of one core (100: one core throughout). */
export function processesCpuPercentOfCore(start: ForeignCpuSample, end: ForeignCpuSample): number {
  const wallTicksPerCore = (end.totalTicks - start.totalTicks) / end.cores;
  return wallTicksPerCore <= 0 ? 0 : (100 * (end.ownTicks - start.ownTicks)) / wallTicksPerCore;
}
