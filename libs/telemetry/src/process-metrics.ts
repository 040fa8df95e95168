import type { Meter } from '@opentelemetry/api';

/**
 * Process CPU time and resident memory under their OpenTelemetry semantic-convention names
 * (`process.cpu.time` by `cpu.mode`, `process.memory.usage`), read at each collection.
 */
export function registerProcessMetrics(meter: Meter): void {
  const cpuTime = meter.createObservableCounter('process.cpu.time', {
    description: 'CPU time this process has used, by mode (user, system)',
    unit: 's',
  });
  const memoryUsage = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size of this process',
    unit: 'By',
  });
  cpuTime.addCallback((result) => {
    const { user, system } = process.cpuUsage();
    result.observe(user / 1e6, { 'cpu.mode': 'user' });
    result.observe(system / 1e6, { 'cpu.mode': 'system' });
  });
  memoryUsage.addCallback((result) => result.observe(process.memoryUsage.rss()));
}
