export { writeReport, formatSummary, buildReportParts, type WrittenReport } from './write-report';
export { deriveConclusions, type Conclusion } from './conclusions';
export { buildComparisonTable, COMPARISON_COLUMNS, type ComparisonRow } from './comparison-table';
export { buildReportCharts, type ReportChart } from './report-charts';
export { renderHtmlReport } from './report-html';
export { renderMarkdownReport } from './report-markdown';
