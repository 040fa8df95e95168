/** Prints a scenario's figure as the one line the suite's output is read for. */
export function printFigure(line: string): void {
  console.log(`chaos: ${line}`);
}

/** Milliseconds as seconds with one decimal: `3.2 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
