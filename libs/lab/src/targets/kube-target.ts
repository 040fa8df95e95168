import {
  connectKube,
  DeploymentScaler,
  findConsumerDeployments,
  podStatsUrls,
  type ConsumerDeployment,
  type DeploymentScalerOptions,
  type KubeConnection,
} from '@switchyard/kube';
import type { ExperimentName, MachineInfo } from '../lab-results';
import { describeMachine, type ConsumerEndpoint, type LabTarget, type PreparedCell } from '../measure';
import { buildKubePlan, type CellSpec } from '../plan';

export interface KubeTargetOptions {
  namespace: string;
  /** The Switchyard API Service, e.g. `http://switchyard-api:3000`. */
  apiUrl: string;
  /** API key for the API Service; admin scope for the misrouting experiment. @defaultValue none */
  apiKey?: string;
  /** kubeconfig context. @defaultValue the current context (or in-cluster) */
  context?: string;
  /** kubeconfig file. @defaultValue KUBECONFIG, ~/.kube/config, then in-cluster */
  kubeconfigPath?: string;
  quick: boolean;
  only?: readonly ExperimentName[];
  scaler?: DeploymentScalerOptions;
  /**
   * Read the consumers' `/stats` by pod IP. Pod IPs are reachable only from inside the cluster.
   * @defaultValue true when running in a pod
   */
  readPodStats?: boolean;
}

/**
 * Runs cells on a cluster: scales the consumer Deployments through the scale subresource for each
 * cell, waits for ready replicas, submits through the API Service, and restores every original
 * replica count when closed.
 */
export class KubeTarget implements LabTarget {
  readonly kind = 'kubernetes';
  readonly measuresHostCpu = false;
  readonly notes: string[] = [];
  readonly #options: KubeTargetOptions;
  readonly #connection: KubeConnection;
  readonly #scaler: DeploymentScaler;
  readonly #readPodStats: boolean;
  #deployments: ConsumerDeployment[] = [];
  #closing?: Promise<void>;

  constructor(options: KubeTargetOptions) {
    this.#options = options;
    this.#connection = connectKube({ context: options.context, kubeconfigPath: options.kubeconfigPath });
    this.#scaler = new DeploymentScaler(this.#connection, options.namespace, options.scaler);
    this.#readPodStats = options.readPodStats ?? this.#connection.inCluster;
    if (!this.#readPodStats) {
      this.notes.push(
        "Consumer /stats (event-loop delay, CPU, RSS) were not read: pod IPs are reachable only from inside the cluster; run the lab as the chart's Job (lab.enabled) to get them.",
      );
    }
    this.notes.push("Machine fields describe the host the lab ran on; the cells ran on the cluster's nodes.");
  }

  async describe(): Promise<MachineInfo> {
    return {
      ...(await describeMachine('kubernetes')),
      kubeContext: this.#connection.context,
      namespace: this.#options.namespace,
    };
  }

  async plan(): Promise<CellSpec[]> {
    this.#deployments = await findConsumerDeployments(this.#connection, this.#options.namespace);
    if (this.#deployments.length === 0) {
      throw new Error(
        `no Switchyard consumer Deployments (labels app.kubernetes.io/name=switchyard, app.kubernetes.io/component=io-consumer|compute) in namespace "${this.#options.namespace}" of ${this.#connection.server}; install the chart there or pass --namespace`,
      );
    }
    const only = this.#options.only;
    if (!only || only.includes('redis')) {
      this.notes.push(
        "The redis experiment (one Redis against a Redis Cluster) was skipped: it starts its own Redis servers, which only a local run can do; a cluster's Redis is the release's.",
      );
    }
    return buildKubePlan(this.#deployments, this.#options.quick).filter(
      (cell) => !only || only.includes(cell.experiment),
    );
  }

  async prepare(cell: CellSpec, signal: AbortSignal): Promise<PreparedCell> {
    const consumers: ConsumerEndpoint[] = [];
    for (const scale of cell.kube ?? []) {
      await this.#scaler.scale(scale.deployment, scale.replicas, signal);
      const deployment = this.#deployments.find((candidate) => candidate.name === scale.deployment);
      if (this.#readPodStats && deployment && scale.replicas > 0) {
        const urls = await podStatsUrls(this.#connection, deployment);
        consumers.push(...urls.map((statsUrl, replica) => ({ service: deployment.name, replica, statsUrl })));
      }
    }
    return { apiUrl: this.#options.apiUrl, apiKey: this.#options.apiKey, consumers };
  }

  /** Nothing to clean: each cell's scale sets every replica count it depends on. */
  async reset(): Promise<void> {}

  /** Restores every Deployment the run scaled; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#scaler.restore();
    return this.#closing;
  }
}
