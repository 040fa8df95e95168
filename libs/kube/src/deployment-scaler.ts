import { pollUntil } from '@switchyard/polling';
import type { KubeConnection } from './kube-connection';

export interface DeploymentScalerOptions {
  /** How long to wait for ready replicas after a scale. @defaultValue 300000 */
  readyTimeoutMs?: number;
  /** Delay between two reads of a Deployment's status while waiting. @defaultValue 1000 */
  pollIntervalMs?: number;
}

export class ScaleTimeoutError extends Error {
  override readonly name = 'ScaleTimeoutError';
}

/**
 * Scales Deployments through the `deployments/scale` subresource and remembers each one's original
 * replica count the first time it touches it, so `restore()` can put the namespace back as it was.
 */
export class DeploymentScaler {
  readonly #connection: KubeConnection;
  readonly #namespace: string;
  readonly #readyTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #originals = new Map<string, number>();

  constructor(connection: KubeConnection, namespace: string, options: DeploymentScalerOptions = {}) {
    this.#connection = connection;
    this.#namespace = namespace;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 300_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Original replica counts of every Deployment scaled so far. */
  get originals(): ReadonlyMap<string, number> {
    return this.#originals;
  }

  async readReplicas(name: string): Promise<number> {
    const scale = await this.#connection.apps.readNamespacedDeploymentScale({
      name,
      namespace: this.#namespace,
    });
    return scale.spec?.replicas ?? 0;
  }

  /** Sets a Deployment's replicas and waits until exactly that many are ready. */
  async scale(name: string, replicas: number, signal?: AbortSignal): Promise<void> {
    if (!this.#originals.has(name)) this.#originals.set(name, await this.readReplicas(name));
    await this.#patchReplicas(name, replicas);
    await this.waitReady(name, replicas, signal);
  }

  async waitReady(name: string, replicas: number, signal?: AbortSignal): Promise<void> {
    let readyReplicas = 0;
    await pollUntil(
      async () => {
        const deployment = await this.#connection.apps.readNamespacedDeployment({
          name,
          namespace: this.#namespace,
        });
        const status = deployment.status;
        readyReplicas = status?.readyReplicas ?? 0;
        return (
          (status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
          readyReplicas === replicas &&
          (status?.replicas ?? 0) === replicas
        );
      },
      {
        timeoutMs: this.#readyTimeoutMs,
        intervalMs: this.#pollIntervalMs,
        signal,
        onTimeout: () =>
          new ScaleTimeoutError(
            `deployment ${this.#namespace}/${name} has ${readyReplicas}/${replicas} ready replicas after ${this.#readyTimeoutMs} ms; check its pods (kubectl -n ${this.#namespace} describe deployment ${name})`,
          ),
      },
    );
  }

  /**
   * Puts every scaled Deployment back to its original replica count. Tries all of them even when one
   * fails, then throws one error naming every failure. Does not wait for readiness: the run is over.
   */
  async restore(): Promise<void> {
    const failures: string[] = [];
    for (const [name, replicas] of this.#originals) {
      try {
        await this.#patchReplicas(name, replicas);
        this.#originals.delete(name);
      } catch (error) {
        failures.push(`${name} → ${replicas}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) {
      throw new Error(`could not restore replica counts in ${this.#namespace}:\n  ${failures.join('\n  ')}`);
    }
  }

  async #patchReplicas(name: string, replicas: number): Promise<void> {
    // A JSON patch is the client's default patch content type and touches only spec.replicas.
    await this.#connection.apps.patchNamespacedDeploymentScale({
      name,
      namespace: this.#namespace,
      body: [{ op: 'replace', path: '/spec/replicas', value: replicas }],
    });
  }
}
