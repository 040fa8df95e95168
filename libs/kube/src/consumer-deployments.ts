import type { V1Deployment } from '@kubernetes/client-node';
import type { KubeConnection } from './kube-connection';

/** The labels the chart puts on every Switchyard Deployment. */
export const SWITCHYARD_NAME_LABEL = 'app.kubernetes.io/name=switchyard';
export const CONSUMER_COMPONENTS = ['io-consumer', 'compute'] as const;
export type ConsumerComponent = (typeof CONSUMER_COMPONENTS)[number];

/** A consumer Deployment and the configuration the lab needs to describe its cells. */
export interface ConsumerDeployment {
  name: string;
  namespace: string;
  component: ConsumerComponent;
  /** Replicas as found, restored at the end of a run. */
  replicas: number;
  /** The first container's plain env values (`EXECUTION_MODEL`, `POOL_SIZE`, `IO_CONCURRENCY`, `LANE`…). */
  env: Record<string, string>;
  /** The label selector of its pods. */
  podSelector: string;
  /** The container port named `health`, where the consumer serves `/stats`. */
  healthPort?: number;
}

function describe(
  deployment: V1Deployment,
  namespace: string,
  component: ConsumerComponent,
): ConsumerDeployment {
  const container = deployment.spec?.template.spec?.containers[0];
  const env: Record<string, string> = {};
  for (const variable of container?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  const labels = deployment.spec?.selector.matchLabels ?? {};
  const healthPort =
    container?.ports?.find((port) => port.name === 'health')?.containerPort ??
    (env.HEALTH_PORT ? Number(env.HEALTH_PORT) : undefined);
  return {
    name: deployment.metadata?.name ?? '',
    namespace,
    component,
    replicas: deployment.spec?.replicas ?? 1,
    env,
    podSelector: Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
    healthPort,
  };
}

/**
 * Finds the io-consumer and compute Deployments in a namespace by the chart's labels
 * (`app.kubernetes.io/name=switchyard`, `app.kubernetes.io/component=io-consumer|compute`).
 */
export async function findConsumerDeployments(
  connection: KubeConnection,
  namespace: string,
): Promise<ConsumerDeployment[]> {
  const found: ConsumerDeployment[] = [];
  for (const component of CONSUMER_COMPONENTS) {
    const list = await connection.apps.listNamespacedDeployment({
      namespace,
      labelSelector: `${SWITCHYARD_NAME_LABEL},app.kubernetes.io/component=${component}`,
    });
    for (const deployment of list.items) found.push(describe(deployment, namespace, component));
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The `/stats` URLs of a Deployment's running pods, by pod IP (reachable from inside the cluster only). */
export async function podStatsUrls(
  connection: KubeConnection,
  deployment: ConsumerDeployment,
): Promise<string[]> {
  if (!deployment.healthPort) return [];
  const pods = await connection.core.listNamespacedPod({
    namespace: deployment.namespace,
    labelSelector: deployment.podSelector,
  });
  return pods.items
    .filter((pod) => pod.status?.phase === 'Running' && pod.status.podIP && !pod.metadata?.deletionTimestamp)
    .map((pod) => `http://${pod.status?.podIP}:${deployment.healthPort}/stats`);
}
