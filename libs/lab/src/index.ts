// The lab's public surface. Every folder's index is public as a whole, except measure's, which also
// serves the targets (machine description, consumer endpoints): only the runner and its parts go out.
export * from './command';
export * from './plan';
export * from './targets';
export * from './report';
export {
  runLab,
  summarizeCell,
  applySpeedups,
  StatusLineProgress,
  type LabRunOptions,
  type RunLabParams,
  type LabTarget,
  type PreparedCell,
  type LabProgress,
} from './measure';
export { percentile, percentiles, spread, mean } from '@switchyard/stats';
export type * from './lab-results';
