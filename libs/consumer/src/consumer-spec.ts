import type { ExecutionModel } from '@switchyard/contracts';

/** What makes one consumer app differ from another; everything else is configuration. */
export interface ConsumerSpec {
  /** `io-consumer` or `compute`: names the service in logs, traces and metrics. */
  service: 'io-consumer' | 'compute';
  /** The lane consumed when `LANE` is unset. */
  defaultLane: string;
  /** The health port when `HEALTH_PORT` is unset. */
  defaultHealthPort: number;
  /** Fixed model (io-consumer: event-loop); compute takes `EXECUTION_MODEL`. */
  model?: ExecutionModel;
}
