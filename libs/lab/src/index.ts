export { runLabCommand, createTarget, exitCodeOf, LAB_EXIT } from './run-lab-command';
export {
  parseLabArgs,
  LabUsageError,
  LAB_USAGE,
  type LabCommandOptions,
  type ParsedLabArgs,
} from './parse-lab-args';
export { runLab, type LabRunOptions, type RunLabParams } from './lab-runner';
export type { LabTarget, PreparedCell } from './lab-target';
export { LocalStackTarget, type LocalStackTargetOptions } from './local-stack-target';
export { KubeTarget, type KubeTargetOptions } from './kube-target';
export {
  buildLocalPlan,
  type CellSpec,
  type JobMix,
  type JobKind,
  type ConsumerShape,
  type KubeScale,
  type PlanOptions,
} from './experiment-plan';
export { buildKubePlan } from './kube-plan';
export { StatusLineProgress, type LabProgress } from './progress-reporter';
export { summarizeCell, applySpeedups } from './cell-summary';
export { percentile, percentiles, spread, mean } from '@switchyard/stats';
export { deriveConclusions, type Conclusion } from './conclusions';
export { buildComparisonTable, COMPARISON_COLUMNS, type ComparisonRow } from './comparison-table';
export { buildReportCharts, type ReportChart } from './report-charts';
export { writeReport, formatSummary, buildReportParts, type WrittenReport } from './write-report';
export { renderHtmlReport } from './report-html';
export { renderMarkdownReport } from './report-markdown';
export type * from './lab-results';
