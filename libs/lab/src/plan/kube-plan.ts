import type { ConsumerDeployment } from '@switchyard/kube';
import type { CellSpec, KubeScale } from './experiment-plan';
import type { ModelName } from '../lab-results';

const IO_SLEEP_MS = 50;

function numberFrom(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * The cells a cluster run measures. A cluster's consumers keep the configuration the chart gave them,
 * so the lab varies what it can change from outside: the replica count of each consumer Deployment
 * (pods, the horizontal axis), plus the misrouting pair on one io-consumer pod.
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
  if (ioConsumer) {
    const onePod: KubeScale[] = [{ component: 'io-consumer', deployment: ioConsumer.name, replicas: 1 }];
    const ioJobs = { job: { kind: 'io.sleep' as const, ms: 20 }, count: 400 };
    cells.push(
      {
        id: 'misrouting/io-alone',
        experiment: 'misrouting',
        series: 'misrouting/io-alone',
        label: 'io jobs alone on one io-consumer pod',
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: numberFrom(ioConsumer.env.IO_CONCURRENCY, 256),
        replicas: 1,
        jobs: [ioJobs],
        consumers: [],
        kube: onePod,
      },
      {
        id: 'misrouting/cpu-on-io-lane',
        experiment: 'misrouting',
        series: 'misrouting/cpu-on-io-lane',
        label: 'io jobs with CPU jobs misrouted to the io lane',
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: numberFrom(ioConsumer.env.IO_CONCURRENCY, 256),
        replicas: 1,
        jobs: [ioJobs, { job: { kind: 'cpu' }, count: 24, lane: 'io' }],
        consumers: [],
        kube: onePod,
      },
    );
  }
  return cells;
}
