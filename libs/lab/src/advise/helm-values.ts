import type { CapacityAdvice } from './capacity-advice';

const cores = (millicores: number) => (millicores % 1000 === 0 ? `'${millicores / 1000}'` : `${millicores}m`);

/**
 * A Helm values file for helm/switchyard with the advice: only the keys it sets (replicas, pool size or
 * concurrency, execution model, CPU requests and matching limits), so `-f` layers it over a release's
 * own values. The limit is raised to the request: a pool slot that may not use its core is no slot.
 */
export function renderHelmValues(advice: CapacityAdvice, header: string[]): string {
  const lines = [...header.map((line) => `# ${line}`), ...advice.model.map((line) => `# ${line}`)];
  for (const lane of advice.lanes) {
    lines.push(
      `# ${lane.lane} lane: ${lane.ratePerSec} jobs/s → predicted p99 ${lane.predictedP99Ms.toFixed(0)} ms`,
    );
    if (lane.lane === 'cpu') {
      lines.push(
        'compute:',
        `  replicas: ${lane.replicas}`,
        `  executionModel: ${lane.executionModel}`,
        `  poolSize: ${lane.perReplica}`,
        '  resources:',
        `    requests: { cpu: ${cores(lane.cpuRequestMillicores)} }`,
        `    limits: { cpu: ${cores(lane.cpuRequestMillicores)} }`,
      );
    } else {
      lines.push(
        'ioConsumer:',
        `  replicas: ${lane.replicas}`,
        `  concurrency: ${lane.perReplica}`,
        '  resources:',
        `    requests: { cpu: ${cores(lane.cpuRequestMillicores)} }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
