/**
 * A Markdown table with padded columns: readable on a terminal and pasted as is into the README or
 * docs/performance.md. Columns whose cells all look like numbers are aligned right.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = header.map(
    (_, column) =>
      rows.length > 0 &&
      rows.every((row) => /^[-+−]?[\d.,]+( ?[%×a-zA-Zµ/]+)?$|^—$|^$/.test(row[column] ?? '')),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, 3, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (numeric[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
