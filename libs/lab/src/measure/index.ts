export { runLab, type LabRunOptions, type RunLabParams } from './lab-runner';
export type { LabTarget, PreparedCell } from './lab-target';
export type { ConsumerEndpoint } from './consumer-stats-client';
export { clusterNodeUrls, describeMachine, firstSeed, localRedisPids } from './machine-info';
export { summarizeCell, applySpeedups } from './cell-summary';
export { StatusLineProgress, type LabProgress } from './progress-reporter';
export {
  BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
  canMeasureForeignCpu,
  foreignCpuPercentOfCore,
  parseProcStat,
  parseProcessStat,
  sampleForeignCpu,
  type ForeignCpuSample,
} from './foreign-cpu';
export {
  CONFIDENCE_LEVEL,
  RELATIVE_HALF_WIDTH,
  DEFAULT_MAX_REPEAT,
  QUICK_MAX_REPEAT,
  throughputConverged,
  wantsAnotherRepeat,
} from './repeat-policy';
export { countKeysPerNode, deleteRunKeys, prefixPattern } from './run-keys';
export { readLanePlacement, type LanePlacementQuery } from './lane-placement';
