/**
 * Wraps a progress callback so handlers may call it in every loop: values are clamped to 0–100 and
 * rounded, repeats are dropped, and at most one report per interval goes through.
 */
export function throttleProgress(
  onProgress: ((percent: number) => void) | undefined,
  intervalMs: number,
): (percent: number) => void {
  if (!onProgress) return ignoreProgress;
  let lastPercent = -1;
  let lastReportAt = Number.NEGATIVE_INFINITY;
  return (percent: number): void => {
    if (!Number.isFinite(percent)) return;
    const rounded = Math.round(Math.min(100, Math.max(0, percent)));
    const now = performance.now();
    if (rounded === lastPercent || now - lastReportAt < intervalMs) return;
    lastPercent = rounded;
    lastReportAt = now;
    onProgress(rounded);
  };
}

/** A run nobody listens to: no closure per run. */
function ignoreProgress(): void {}
