import { existsSync, readFileSync, statSync } from 'node:fs';

/** One kind of server error the api logged, with the first Switchyard frame of its stack. */
export interface LoggedServerError {
  message: string;
  /** `libs/queue/src/job-reader.ts:61` (source-mapped), or the first frame when no Switchyard frame shows. */
  where: string;
  count: number;
}

const MESSAGE_CHARS = 200;
/** A stack frame in Switchyard's own code (not node_modules), as `libs/<lib>/src/<file>:<line>`. */
const SWITCHYARD_FRAME = /(?<!node_modules\/.*)\/((?:apps|libs)\/[\w-]+\/src\/[^):]+:\d+)/;

/** The log's size in bytes now: pass it to `loggedServerErrors` to read only what comes after. */
export function logSize(logFile: string): number {
  return existsSync(logFile) ? statSync(logFile).size : 0;
}

/**
 * The distinct errors behind the api's 5xx answers, read from its log (`sendProblem` logs each
 * one's stack with context `Problem`) from byte `from` on, most frequent first.
 */
export function loggedServerErrors(logFile: string, from = 0): LoggedServerError[] {
  if (!existsSync(logFile)) return [];
  const byCause = new Map<string, LoggedServerError>();
  for (const line of readFileSync(logFile).subarray(from).toString('utf8').split('\n')) {
    if (!line.includes('"context":"Problem"')) continue;
    let entry: { msg?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const [first = '', ...frames] = String(entry.msg ?? '').split('\n');
    const ours = frames.find((frame) => SWITCHYARD_FRAME.test(frame)) ?? frames[0] ?? '';
    const where = SWITCHYARD_FRAME.exec(ours)?.[1] ?? ours.trim().replace(/^at /, '');
    // Quoted client input (`no queue for lane "gpu"`) would make one cause per value.
    const message = first.replace(/".*"/, '"…"').slice(0, MESSAGE_CHARS);
    const cause = `${message} @ ${where}`;
    const known = byCause.get(cause) ?? { message, where, count: 0 };
    known.count++;
    byCause.set(cause, known);
  }
  return [...byCause.values()].sort((a, b) => b.count - a.count);
}
