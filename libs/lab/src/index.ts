// The lab's public surface. Every folder's index is public as a whole, except measure's, which also
// serves the targets (machine description, consumer endpoints): only the runner and its parts go out.
export * from './command';
export * from './plan';
export * from './targets';
export * from './report';
export * from './advise';
export {
  runLab,
  summarizeCell,
  applySpeedups,
  StatusLineProgress,
  BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
  canMeasureForeignCpu,
  foreignCpuPercentOfCore,
  parseProcStat,
  parseProcessStat,
  sampleForeignCpu,
  deleteRunKeys,
  localRedisPids,
  readLanePlacement,
  describeMachine,
  CONFIDENCE_LEVEL,
  RELATIVE_HALF_WIDTH,
  DEFAULT_MAX_REPEAT,
  QUICK_MAX_REPEAT,
  throughputConverged,
  wantsAnotherRepeat,
  type ForeignCpuSample,
  type LabRunOptions,
  type RunLabParams,
  type LabTarget,
  type PreparedCell,
  type LabProgress,
} from './measure';
export {
  percentile,
  percentiles,
  spread,
  mean,
  medianInterval,
  intervalsOverlap,
  intervalWithin,
  orderStatisticCoverage,
  binomialHalfCdf,
  type MedianInterval,
} from '@switchyard/stats';
export type * from './lab-results';
