/**
 * The series the apps export (Prometheus names), as agreed for issue 11: what the chart's alerts and
 * dashboard may query. A histogram stands for its _bucket, _sum and _count series.
 */
const COUNTERS = [
  'switchyard_jobs_submitted_total',
  'switchyard_jobs_completed_total',
  'switchyard_jobs_failed_total',
  'switchyard_jobs_cancelled_total',
  'switchyard_job_attempts_total',
  'switchyard_pool_tasks_completed_total',
  'switchyard_pool_tasks_failed_total',
];
const HISTOGRAMS = [
  'switchyard_job_run_duration_seconds',
  'switchyard_job_queue_wait_seconds',
  'switchyard_job_cpu_duration_seconds',
];
const GAUGES = [
  'switchyard_lane_depth',
  'switchyard_pool_size',
  'switchyard_pool_busy',
  'switchyard_pool_utilization_ratio',
  'switchyard_pool_queue_size',
  'switchyard_pool_workers',
  'nodejs_eventloop_delay_p99_seconds',
];

export const CONTRACT_SERIES: ReadonlySet<string> = new Set([
  ...COUNTERS,
  ...GAUGES,
  ...HISTOGRAMS.flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
]);

/** Label names the contract series carry (besides the target's namespace, pod, instance, job). */
export const CONTRACT_LABELS: ReadonlySet<string> = new Set([
  'switchyard_task',
  'switchyard_profile',
  'switchyard_lane',
  'switchyard_execution_model',
  'switchyard_job_state',
  'switchyard_outcome',
  'le',
]);

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions, keywords, label
 * names (in `{…}`, `by (…)`, `on (…)`), strings, durations nor Grafana variables.
 */
export function seriesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$[A-Za-z_]+/g, '');
  const names = [...stripped.matchAll(/\b[A-Za-z_:][A-Za-z0-9_:]*\b(?!\s*\()/g)]
    .map((match) => match[0])
    .filter((name) => !PROMQL_WORDS.has(name) && !/^(e|inf|nan)$/i.test(name));
  return [...new Set(names)];
}

/** The label names an expression filters or groups on. */
export function labelsIn(expr: string): string[] {
  const labels = [
    ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((match) =>
      [...match[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)].map((label) => label[1]),
    ),
    ...[...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((match) =>
      match[1].split(',').map((label) => label.trim()),
    ),
  ];
  return [...new Set(labels.filter(Boolean))];
}
