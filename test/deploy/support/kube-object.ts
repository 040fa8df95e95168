import type { IContainer, IPodSpec } from 'kubernetes-models/v1';

/** A rendered Kubernetes object, as much of it as the checks read. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export type { IContainer, IPodSpec };

/** Kinds that run pods, and where their pod spec sits. */
export interface PodOwner {
  object: KubeObject;
  podLabels: Record<string, string>;
  podSpec: IPodSpec;
  /** Runs until stopped (Deployment, StatefulSet), so it needs liveness and readiness probes. */
  longRunning: boolean;
}

interface WithPodTemplate {
  spec: { template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } };
}

export function podOwners(objects: readonly KubeObject[]): PodOwner[] {
  return objects.flatMap((object): PodOwner[] => {
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'Job') {
      const { template } = (object as unknown as WithPodTemplate).spec;
      return [
        {
          object,
          podLabels: template.metadata?.labels ?? {},
          podSpec: template.spec,
          longRunning: object.kind !== 'Job',
        },
      ];
    }
    if (object.kind === 'Pod') {
      return [
        {
          object,
          podLabels: object.metadata.labels ?? {},
          podSpec: (object as unknown as { spec: IPodSpec }).spec,
          longRunning: false,
        },
      ];
    }
    return [];
  });
}

export function findObject(
  objects: readonly KubeObject[],
  kind: string,
  name: string,
): KubeObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

/** A container's plain `value` env var, or undefined when unset or taken from elsewhere. */
export function envValue(container: IContainer, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}
