import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';

/**
 * Stands in for the two parts of a cluster that this test control plane lacks — the Deployment
 * controller and the kubelets — by doing, through the real API, the one thing the lab waits for: after
 * each change of a Deployment's spec (a new generation) it writes a status reporting every replica ready
 * (`PUT …/deployments/<name>/status`, with the resourceVersion it read: a conflict is retried on the next
 * round, as a controller does). It records each generation it saw, i.e. every effective scale.
 */
export class DeploymentStatusWriter {
  /** `{name, replicas}` for each new generation seen, in order. */
  readonly history: { name: string; replicas: number }[] = [];
  readonly #apps: AppsV1Api;
  readonly #namespace: string;
  #timer?: NodeJS.Timeout;
  #round?: Promise<void>;
  #error: unknown;

  constructor(kubeconfigPath: string, namespace: string) {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    this.#apps = config.makeApiClient(AppsV1Api);
    this.#namespace = namespace;
  }

  start(intervalMs = 100): void {
    const tick = () => {
      this.#round = this.#writeStatuses()
        .catch((error: unknown) => {
          this.#error ??= error;
        })
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Stops writing; throws the first unexpected API error it met, if any. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
    if (this.#error) throw this.#error;
  }

  /** True when every Deployment's status reports its current generation. */
  async settled(): Promise<boolean> {
    const list = await this.#apps.listNamespacedDeployment({ namespace: this.#namespace });
    return list.items.every(
      (deployment) => (deployment.status?.observedGeneration ?? 0) === deployment.metadata?.generation,
    );
  }

  async #writeStatuses(): Promise<void> {
    const list = await this.#apps.listNamespacedDeployment({ namespace: this.#namespace });
    for (const deployment of list.items) {
      const generation = deployment.metadata?.generation ?? 0;
      if ((deployment.status?.observedGeneration ?? 0) >= generation) continue;
      const replicas = deployment.spec?.replicas ?? 1;
      const name = deployment.metadata?.name ?? '';
      try {
        await this.#apps.replaceNamespacedDeploymentStatus({
          name,
          namespace: this.#namespace,
          body: {
            ...deployment,
            status: {
              observedGeneration: generation,
              replicas,
              readyReplicas: replicas,
              updatedReplicas: replicas,
              availableReplicas: replicas,
            },
          },
        });
        this.history.push({ name, replicas });
      } catch (error) {
        // 409: the Deployment changed since the list (a scale landed); the next round sees the new one.
        if ((error as { code?: number }).code !== 409) throw error;
      }
    }
  }
}
