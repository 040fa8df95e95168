import { spread } from '@switchyard/stats';
import { formatTable } from './support/format-table';

/** One row of issue 9's aims table, as measured by this run. */
export interface AimRow {
  measure: string;
  switchyard: string;
  /** The raw library's figure (or tracing off), `—` when the row has no baseline. */
  raw: string;
  /** Switchyard ÷ raw, or the loss, or `—` for an absolute aim. */
  ratio: string;
  aim: string;
  met: boolean;
  /** A row of this bench's own, not one of issue 9's aims: shown, not counted. */
  proxy?: boolean;
}

const median = (values: readonly number[]) => spread(values).median;
const grouped = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** `4,667 (4,512–4,790)`: the median and, over several runs, the range. */
export function medianWithRange(values: readonly number[], digits = 0): string {
  const { median: middle, min, max } = spread(values);
  return values.length > 1
    ? `${grouped(middle, digits)} (${grouped(min, digits)}–${grouped(max, digits)})`
    : grouped(middle, digits);
}

/** Switchyard ÷ raw (medians), met at `atLeast` or more. Higher is better. */
export function ratioRow(
  measure: string,
  unit: string,
  switchyard: readonly number[],
  raw: readonly number[],
  atLeast: number,
): AimRow {
  const ratio = median(switchyard) / median(raw);
  return {
    measure,
    switchyard: `${medianWithRange(switchyard)} ${unit}`,
    raw: `${medianWithRange(raw)} ${unit}`,
    ratio: `${ratio.toFixed(2)}×`,
    aim: `≥ ${atLeast}×`,
    met: ratio >= atLeast,
  };
}

/** Switchyard ÷ raw (medians) of a cost, met at `atMost` or less. Lower is better. */
export function costRatioRow(
  measure: string,
  unit: string,
  switchyard: readonly number[],
  raw: readonly number[],
  atMost: number,
  digits = 1,
): AimRow {
  const ratio = median(switchyard) / median(raw);
  return {
    measure,
    switchyard: `${medianWithRange(switchyard, digits)} ${unit}`,
    raw: `${medianWithRange(raw, digits)} ${unit}`,
    ratio: `${ratio.toFixed(2)}×`,
    aim: `≤ ${atMost}×`,
    met: ratio <= atMost,
  };
}

/** Throughput lost with `on` against `off` (medians), met at `atMostPercent` or less. */
export function lossRow(
  measure: string,
  unit: string,
  on: readonly number[],
  off: readonly number[],
  atMostPercent: number,
): AimRow {
  const loss = (1 - median(on) / median(off)) * 100;
  return {
    measure,
    switchyard: `${medianWithRange(on)} ${unit}`,
    raw: `off: ${medianWithRange(off)} ${unit}`,
    ratio: `${loss >= 0 ? '−' : '+'}${Math.abs(loss).toFixed(0)} %`,
    aim: `≤ ${atMostPercent} % loss`,
    met: loss <= atMostPercent,
  };
}

/** An absolute bound: met at `atMost` or less; `raw` is context (the raw library's figure) when known. */
export function boundRow(measure: string, unit: string, value: number, atMost: number, raw?: number): AimRow {
  return {
    measure,
    switchyard: `${grouped(value, 1)} ${unit}`,
    raw: raw === undefined ? '—' : `${grouped(raw, 1)} ${unit}`,
    ratio: raw === undefined ? '—' : `${(value / raw).toFixed(2)}×`,
    aim: `≤ ${atMost} ${unit}`,
    met: value <= atMost,
  };
}

/** The summary table a README refresh copies. */
export function formatAims(rows: readonly AimRow[]): string {
  return formatTable(
    ['measure', 'Switchyard', 'raw', 'ratio', 'aim', '✓/✗'],
    rows.map((row) => [row.measure, row.switchyard, row.raw, row.ratio, row.aim, row.met ? '✓' : '✗']),
  );
}
