import type { LabProgress } from '@switchyard/lab';

/** Collects what the runner reports instead of drawing a status line. */
export class RecordingProgress implements LabProgress {
  readonly lines: string[] = [];
  cellStarted(index: number, total: number, cell: { id: string }): void {
    this.lines.push(`start ${index + 1}/${total} ${cell.id}`);
  }
  cellStatus(): void {}
  cellFinished(result: { id: string; error?: string }): void {
    this.lines.push(`done ${result.id}${result.error ? ` failed: ${result.error}` : ''}`);
  }
  message(text: string): void {
    this.lines.push(text);
  }
  close(): void {}
}
