import type { ConsumerDeployment } from '@switchyard/kube';
import { autoRoutedJobs, type CellSpec, type JobMix, type KubeScale } from './experiment-plan';
import type { ModelName } from '../lab-results';

const IO_SLEEP_MS = 50;

function numberFrom(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * The cells a cluster run measures. A cluster's consumers keep the configuration the chart gave them,
 * so the lab varies what it can change from outside: the replica count of each consumer Deployment
 * (pods, the horizontal axis), plus the misrouting cells on one io-consumer pod.
 */
export function buildKubePlan(deployments: readonly ConsumerDeployment[], quick: boolean): CellSpec[] {
  const replicaCounts = quick ? [1, 2] : [1, 2, 4];
  const ioConsumer = deployments.find((deployment) => deployment.component === 'io-consumer');
  const computes = deployments.filter((deployment) => deployment.component === 'compute');
  const cells: CellSpec[] = [];
  if (ioConsumer) {
    const concurrency = numberFrom(ioConsumer.env.IO_CONCURRENCY, 256);
    for (const replicas of replicaCounts) {
      cells.push({
        id: `horizontal/${ioConsumer.name}/r${replicas}`,
        experiment: 'horizontal',
        series: `kube/${ioConsumer.name}`,
        label: `io.sleep ${IO_SLEEP_MS} ms · ${replicas} io-consumer pod(s) × concurrency ${concurrency}`,
        model: 'pods',
        task: 'io.sleep',
        perReplica: concurrency,
        replicas,
        jobs: [
          {
            job: { kind: 'io.sleep', ms: IO_SLEEP_MS },
            count: Math.min(2000, Math.max(50, concurrency * replicas * 2)),
          },
        ],
        consumers: [],
        kube: [{ component: 'io-consumer', deployment: ioConsumer.name, replicas }],
      });
    }
  }
  for (const compute of computes) {
    const pool = numberFrom(compute.env.POOL_SIZE, 1);
    const model = compute.env.EXECUTION_MODEL ?? 'worker-threads';
    // Compute Deployments share the cpu lane: park the others so only the measured one takes jobs.
    const parkOthers: KubeScale[] = computes
      .filter((other) => other.name !== compute.name)
      .map((other) => ({ component: 'compute', deployment: other.name, replicas: 0 }));
    for (const replicas of replicaCounts) {
      cells.push({
        id: `horizontal/${compute.name}/r${replicas}`,
        experiment: 'horizontal',
        series: `kube/${compute.name}`,
        label: `cpu job · ${replicas} compute pod(s) × ${model} pool ${pool}`,
        model: 'pods' satisfies ModelName,
        task: 'cpu',
        perReplica: pool,
        replicas,
        jobs: [{ job: { kind: 'cpu' }, count: Math.max(24, pool * replicas * 12) }],
        consumers: [],
        kube: [...parkOthers, { component: 'compute', deployment: compute.name, replicas }],
      });
    }
  }
  if (ioConsumer) cells.push(...kubeMisroutingCells(ioConsumer, computes));
  return cells;
}

/**
 * The mixed workload on one io-consumer pod: alone, with CPU jobs misrouted onto it, and — when a compute
 * Deployment exists (one pod of the first; the others parked) — with the CPU jobs on their own lane and
 * with every job submitted `auto`.
 */
function kubeMisroutingCells(
  ioConsumer: ConsumerDeployment,
  computes: readonly ConsumerDeployment[],
): CellSpec[] {
  const onePod: KubeScale[] = [{ component: 'io-consumer', deployment: ioConsumer.name, replicas: 1 }];
  const ioJobs: JobMix = { job: { kind: 'io.sleep', ms: 20 }, count: 400 };
  const cpuJobs = 24;
  const cell = (name: string, label: string, jobs: JobMix[], kube: KubeScale[]): CellSpec => ({
    id: `misrouting/${name}`,
    experiment: 'misrouting',
    series: `misrouting/${name}`,
    label,
    model: 'event-loop',
    task: 'io.sleep',
    perReplica: numberFrom(ioConsumer.env.IO_CONCURRENCY, 256),
    replicas: 1,
    jobs,
    consumers: [],
    kube,
  });
  const cells = [
    cell('io-alone', 'io jobs alone on one io-consumer pod', [ioJobs], onePod),
    cell(
      'cpu-on-io-lane',
      'io jobs with CPU jobs misrouted to the io lane',
      [ioJobs, { job: { kind: 'cpu' }, count: cpuJobs, lane: 'io' }],
      onePod,
    ),
  ];
  const [compute, ...others] = computes;
  if (!compute) return cells;
  const bothLanes: KubeScale[] = [
    ...onePod,
    ...others.map((other) => ({ component: 'compute' as const, deployment: other.name, replicas: 0 })),
    { component: 'compute', deployment: compute.name, replicas: 1 },
  ];
  const auto = autoRoutedJobs(ioJobs, cpuJobs);
  return [
    ...cells,
    cell(
      'cpu-on-cpu-lane',
      `io jobs with CPU jobs on their own lane (one ${compute.name} pod)`,
      [ioJobs, { job: { kind: 'cpu' }, count: cpuJobs }],
      bothLanes,
    ),
    {
      ...cell('auto', 'io and CPU jobs submitted with profile "auto", after a warm-up', auto.jobs, bothLanes),
      warmUp: auto.warmUp,
    },
  ];
}
