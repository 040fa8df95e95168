import type { RunningService } from '@switchyard/local-stack';

export interface ConsumerExit {
  name: string;
  /** From the signal to the process's exit; undefined when it had not exited by the deadline. */
  exitMs?: number;
  code?: number | null;
  signal?: NodeJS.Signals | null;
}

/** Exited after its shutdown: code 0, or the SIGTERM a Nest app re-raises once its shutdown hooks ran. */
export function exitedCleanly(exit: ConsumerExit): boolean {
  return exit.code === 0 || exit.signal === 'SIGTERM';
}

/**
 * Sends a signal to each service at once and measures how long each takes to exit, waiting at most
 * `giveUpMs`; a process still running then is SIGKILLed (and reported without an exit time).
 */
export async function signalAndTimeExits(
  services: readonly RunningService[],
  signal: NodeJS.Signals,
  giveUpMs: number,
): Promise<ConsumerExit[]> {
  const sentAt = Date.now();
  for (const service of services) service.process.signal(signal);
  return Promise.all(
    services.map(async (service): Promise<ConsumerExit> => {
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        service.process.whenExited(),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), giveUpMs))),
      ]);
      clearTimeout(timer);
      if (code !== 'timeout') {
        return { name: service.name, exitMs: Date.now() - sentAt, code, signal: service.process.exitSignal };
      }
      service.process.signal('SIGKILL');
      await service.process.whenExited();
      return { name: service.name };
    }),
  );
}

/** `io-consumer exited in 3.1 s (code 0)` or `compute did not exit within 18.0 s`. */
export function describeExit(exit: ConsumerExit, giveUpMs: number): string {
  return exit.exitMs === undefined
    ? `${exit.name} did not exit within ${(giveUpMs / 1000).toFixed(1)} s`
    : `${exit.name} exited in ${(exit.exitMs / 1000).toFixed(1)} s${exitedCleanly(exit) ? '' : ` (code ${exit.code}, signal ${exit.signal})`}`;
}
