import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export interface KubeConnectionOptions {
  /** kubeconfig context to use. @defaultValue the kubeconfig's current context */
  context?: string;
  /**
   * A kubeconfig file to read. @defaultValue `KUBECONFIG`, then `~/.kube/config`, then the in-cluster
   * service account (what a Kubernetes Job gets)
   */
  kubeconfigPath?: string;
}

/** The API clients the lab uses, and where they point. */
export interface KubeConnection {
  apps: AppsV1Api;
  core: CoreV1Api;
  /** The context in use; `inCluster` when running in a pod. */
  context: string;
  server: string;
  /** True when the credentials are the pod's service account. */
  inCluster: boolean;
}

export class KubeConnectionError extends Error {
  override readonly name = 'KubeConnectionError';
}

/** Loads kubeconfig (or the in-cluster service account) and makes the API clients. */
export function connectKube(options: KubeConnectionOptions = {}): KubeConnection {
  const config = new KubeConfig();
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
  else config.loadFromDefault();
  if (options.context) {
    const known = config.getContexts().map((context) => context.name);
    if (!known.includes(options.context)) {
      throw new KubeConnectionError(
        `kubeconfig has no context "${options.context}"; known contexts: ${known.join(', ') || '(none)'}. Pass one of them to --context`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new KubeConnectionError(
      'no Kubernetes cluster configured: set KUBECONFIG, create ~/.kube/config, or run the lab inside a pod',
    );
  }
  return {
    apps: config.makeApiClient(AppsV1Api),
    core: config.makeApiClient(CoreV1Api),
    context: config.getCurrentContext(),
    server: cluster.server,
    inCluster: config.getCurrentContext() === 'inClusterContext',
  };
}
