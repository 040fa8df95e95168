import type { TaskContext } from '@switchyard/contracts';

/** A handler context for calling a task directly, recording its progress reports. */
export function taskContext(
  signal: AbortSignal = new AbortController().signal,
): TaskContext & { reports: number[] } {
  const reports: number[] = [];
  return { signal, reports, progress: (percent) => reports.push(percent) };
}
