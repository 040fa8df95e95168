import { CELL_TABLE_COLUMNS, cellTableRow } from './cell-table';
import { COMPARISON_COLUMNS } from './comparison-table';
import { cellTableNote, machineLine, repeatsLine, type ReportParts } from './report-markdown';
import { escapeXml } from './svg-chart';
import { traceLink } from './trace-links';

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #111827; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e5e7eb; }
table { border-collapse: collapse; font-size: 13px; margin: .5rem 0; }
th, td { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.partial { background: #fef3c7; border: 1px solid #f59e0b; padding: .6rem 1rem; }
figure { margin: 1rem 0; } figcaption { color: #4b5563; font-size: 13px; max-width: 720px; }
.meta { color: #4b5563; }
`;

const text = escapeXml;

function tableHtml(header: readonly string[], rows: readonly (readonly string[])[], numericFrom = 1): string {
  const head = `<tr>${header.map((title) => `<th>${text(title)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, column) => `<td${column >= numericFrom ? ' class="num"' : ''}>${text(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

/** The two bits of Markdown the conclusions use: **bold** and `code`. */
const inlineMarkdown = (markdown: string) =>
  text(markdown)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

/** report.html: one self-contained page (inline CSS and SVG; no script, font or network). */
export function renderHtmlReport({ results, comparison, conclusions, charts }: ReportParts): string {
  const traced = results.cells.filter((cell) => cell.traceIds.length > 0);
  const traces = traced
    .map(
      (cell) =>
        `<li>${text(cell.id)}: ${cell.traceIds
          .map((id) => {
            const link = traceLink(results.jaegerUiUrl, id);
            return link ? `<a href="${text(link)}">${text(id)}</a>` : `<code>${text(id)}</code>`;
          })
          .join(', ')}</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard scaling lab — ${text(results.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Switchyard scaling lab</h1>
<p class="meta">Run ${text(results.startedAt)} → ${text(results.finishedAt)} on ${results.machine.target === 'kubernetes' ? `Kubernetes (context ${text(results.machine.kubeContext ?? '')}, namespace ${text(results.machine.namespace ?? '')})` : 'a local stack'}.<br>
Machine: ${text(machineLine(results))}.<br>
${text(repeatsLine(results))}. CPU job: <code>${text(`${results.cpuJob.task} ${JSON.stringify(results.cpuJob.payload)}`)}</code> ≈ ${results.cpuJob.calibratedRunMs.toFixed(0)} ms.</p>
${results.partial ? `<p class="partial"><strong>Partial results:</strong> ${text(results.partialReason ?? '')}. Not run: ${text(results.skippedCells.join(', ') || 'none')}.</p>` : ''}
<h2>Conclusions</h2>
${conclusions.map((conclusion) => `<h3>${text(conclusion.title)}</h3>\n<ul>${conclusion.findings.map((finding) => `<li>${inlineMarkdown(finding)}</li>`).join('\n')}</ul>`).join('\n')}
<h2>Event loop vs worker threads vs processes vs pods (measured)</h2>
${tableHtml(
  ['', ...COMPARISON_COLUMNS],
  comparison.map((row) => [row.aspect, ...row.cells]),
  99,
)}
<h2>Charts</h2>
${charts.map((chart) => `<figure id="${chart.id}">\n${chart.svg}\n<figcaption>${text(chart.caption)}</figcaption>\n</figure>`).join('\n')}
<h2>Every cell</h2>
<p>${text(cellTableNote(results))}</p>
${tableHtml(CELL_TABLE_COLUMNS, results.cells.map(cellTableRow))}
${traced.length > 0 ? `<h2>Sample traces</h2>\n<ul>${traces}</ul>` : ''}
${results.notes.length > 0 ? `<h2>Notes</h2>\n<ul>${results.notes.map((note) => `<li>${text(note)}</li>`).join('\n')}</ul>` : ''}
</body>
</html>
`;
}
