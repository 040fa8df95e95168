export { runLab, type LabRunOptions, type RunLabParams } from './lab-runner';
export type { LabTarget, PreparedCell } from './lab-target';
export type { ConsumerEndpoint } from './consumer-stats-client';
export { describeMachine } from './machine-info';
export { summarizeCell, applySpeedups } from './cell-summary';
export { StatusLineProgress, type LabProgress } from './progress-reporter';
