import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CELL_TABLE_COLUMNS, cellTableRow, formatTextTable } from './cell-table';
import { buildComparisonTable } from './comparison-table';
import { deriveConclusions } from './conclusions';
import type { LabResults } from '../lab-results';
import { buildReportCharts } from './report-charts';
import { renderHtmlReport } from './report-html';
import { renderMarkdownReport, type ReportParts } from './report-markdown';

export function buildReportParts(results: LabResults): ReportParts {
  return {
    results,
    comparison: buildComparisonTable(results),
    conclusions: deriveConclusions(results),
    charts: buildReportCharts(results),
  };
}

export interface WrittenReport {
  directory: string;
  resultsJson: string;
  markdown: string;
  html: string;
}

/** Writes results.json, report.md (with charts/*.svg) and the self-contained report.html. */
export async function writeReport(results: LabResults, directory: string): Promise<WrittenReport> {
  const parts = buildReportParts(results);
  await mkdir(path.join(directory, 'charts'), { recursive: true });
  const written: WrittenReport = {
    directory,
    resultsJson: path.join(directory, 'results.json'),
    markdown: path.join(directory, 'report.md'),
    html: path.join(directory, 'report.html'),
  };
  await writeFile(written.resultsJson, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(written.markdown, renderMarkdownReport(parts));
  await writeFile(written.html, renderHtmlReport(parts));
  for (const chart of parts.charts)
    await writeFile(path.join(directory, 'charts', `${chart.id}.svg`), `${chart.svg}\n`);
  return written;
}

/** The summary printed to stdout at the end of a run: every cell, then the conclusions. */
export function formatSummary(results: LabResults): string {
  const conclusions = deriveConclusions(results)
    .map(
      (conclusion) =>
        `${conclusion.title}:\n${conclusion.findings.map((finding) => `  - ${finding.replace(/\*\*/g, '')}`).join('\n')}`,
    )
    .join('\n');
  return `${formatTextTable(CELL_TABLE_COLUMNS, results.cells.map(cellTableRow))}\n\n${conclusions}\n`;
}
