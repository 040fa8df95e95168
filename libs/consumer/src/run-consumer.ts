import { loadConfigOrExit } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { Consumer } from './consumer';
import type { ConsumerSpec } from './consumer-spec';

/** What stops a consumer gracefully: Kubernetes' SIGTERM, a terminal's Ctrl-C, a closed terminal, Ctrl-\. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/**
 * Entry point shared by io-consumer and compute: validate config (or exit 78), start consuming, and on a
 * stop signal drain and stop, then end by that same signal (so a supervisor sees why it ended). A
 * consumer that cannot start, or whose stop fails, exits with 1.
 */
export async function runConsumer(spec: ConsumerSpec): Promise<void> {
  const config = loadConfigOrExit(`switchyard-${spec.service}`);
  const logger = createLogger(`switchyard-${spec.service}`, { level: config.LOG_LEVEL });
  const consumer = new Consumer(spec, config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    consumer.stop(signal).then(
      () => {
        for (const name of STOP_SIGNALS) process.removeListener(name, stop);
        process.kill(process.pid, signal);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'the consumer did not stop cleanly');
        process.exit(1);
      },
    );
  };
  for (const name of STOP_SIGNALS) process.on(name, stop);
  try {
    await consumer.start();
  } catch (error) {
    logger.fatal({ err: error }, `${spec.service} could not start`);
    process.exit(1);
  }
}
