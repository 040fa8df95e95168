export { runConsumer } from './run-consumer';
export { Consumer } from './consumer';
export type { ConsumerSpec } from './consumer-spec';
export { HealthServer, type HealthRoute } from './health-server';
export { LaneWorker, type LaneWorkerObserver, type LaneWorkerOptions } from './lane-worker';
