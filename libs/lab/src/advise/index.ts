export {
  capacityInputs,
  type CapacityInputs,
  type CpuLaneInputs,
  type IoLaneInputs,
} from './capacity-inputs';
export {
  adviseCapacity,
  MODEL_STATEMENT,
  type CapacityAdvice,
  type CapacityTarget,
  type LaneAdvice,
} from './capacity-advice';
export { renderHelmValues } from './helm-values';
export { runAdviseCommand, formatAdvice, AdviseUsageError, ADVISE_USAGE } from './advise-command';
export {
  replayAdvice,
  formatReplay,
  type ReplayOptions,
  type ReplayResult,
  type LaneReplay,
} from './advice-replay';
