import { CELL_TABLE_COLUMNS, cellTableRow } from './cell-table';
import { COMPARISON_COLUMNS, type ComparisonRow } from './comparison-table';
import type { Conclusion } from './conclusions';
import type { LabResults } from '../lab-results';
import type { ReportChart } from './report-charts';
import { traceLink } from './trace-links';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
}

export function machineLine(results: LabResults): string {
  const machine = results.machine;
  return `${machine.cores} cores (${machine.cpuModel}), ${(machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB, Node ${machine.node}, Redis ${machine.redis}, ${machine.os}`;
}

/** How many repeats a cell got: the minimum, and the cap it may repeat to until its interval is narrow. */
export function repeatsLine(results: LabResults): string {
  const { repeat, maxRepeat, quick } = results.options;
  const cap = maxRepeat;
  return `Repeats per cell: ${cap > repeat ? `${repeat} to ${cap}, until the throughput median's 95 % interval is within ±5 %` : String(repeat)}${quick ? ' (quick run)' : ''}`;
}

/** What the cell table's interval, confidence and foreign-CPU columns mean. */
export function cellTableNote(results: LabResults): string {
  const threshold = results.confidence.busyPercentOfCore;
  return `Median over repeats; in brackets the median's distribution-free 95 % interval (order statistics), whose actual confidence the "runs · confidence" column gives: it is min–max and below 95 % under 6 runs; ✓ when it came within ±5 %. Foreign CPU: CPU taken by other processes on this machine during the cell, in % of one core; BUSY above ${threshold} %. Workers = per replica × replicas.`;
}

export interface ReportParts {
  results: LabResults;
  comparison: ComparisonRow[];
  conclusions: Conclusion[];
  charts: ReportChart[];
}

/** report.md: the same content as report.html, with the charts as SVG files beside it. */
export function renderMarkdownReport({ results, comparison, conclusions, charts }: ReportParts): string {
  const lines: string[] = [
    '# Switchyard scaling lab',
    '',
    `Run ${results.startedAt} → ${results.finishedAt} on ${results.machine.target === 'kubernetes' ? `Kubernetes (context ${results.machine.kubeContext}, namespace ${results.machine.namespace})` : 'a local stack'}.`,
    `Machine: ${machineLine(results)}.`,
    `${repeatsLine(results)}. CPU job: \`${results.cpuJob.task} ${JSON.stringify(results.cpuJob.payload)}\` ≈ ${results.cpuJob.calibratedRunMs.toFixed(0)} ms.`,
    '',
  ];
  if (results.partial)
    lines.push(
      `> **Partial results**: ${results.partialReason}. Not run: ${results.skippedCells.join(', ') || 'none'}.`,
      '',
    );
  lines.push('## Conclusions', '');
  for (const conclusion of conclusions) {
    lines.push(`### ${conclusion.title}`, '', ...conclusion.findings.map((finding) => `- ${finding}`), '');
  }
  lines.push('## Event loop vs worker threads vs processes vs pods (measured)', '');
  lines.push(
    ...table(
      ['', ...COMPARISON_COLUMNS],
      comparison.map((row) => [`**${row.aspect}**`, ...row.cells]),
    ),
    '',
  );
  lines.push('## Charts', '');
  for (const chart of charts)
    lines.push(`![${chart.title}](charts/${chart.id}.svg)`, '', `*${chart.caption}*`, '');
  lines.push('## Every cell', '', cellTableNote(results), '');
  lines.push(...table(CELL_TABLE_COLUMNS, results.cells.map(cellTableRow)), '');
  const traced = results.cells.filter((cell) => cell.traceIds.length > 0);
  if (traced.length > 0) {
    lines.push('## Sample traces', '');
    for (const cell of traced) {
      lines.push(
        `- ${cell.id}: ${cell.traceIds
          .map((id) => {
            const link = traceLink(results.jaegerUiUrl, id);
            return link ? `[${id}](${link})` : `\`${id}\``;
          })
          .join(', ')}`,
      );
    }
    lines.push('');
  }
  if (results.notes.length > 0) lines.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}
