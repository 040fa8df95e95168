import type { KubeObject } from './kube-object';

interface PolicyPort {
  port?: number | string;
  protocol?: string;
}

interface IngressRule {
  from?: unknown[];
  ports?: PolicyPort[];
}

interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  ingress?: IngressRule[];
}

/** A container port as a NetworkPolicy may name it: by name or by number. */
export interface NamedPort {
  name: string;
  number: number;
}

function selects(policy: KubeObject, podLabels: Record<string, string>): boolean {
  const selector = (policy.spec as PolicySpec).podSelector.matchLabels ?? {};
  return Object.entries(selector).every(([key, value]) => podLabels[key] === value);
}

/**
 * Who the NetworkPolicies selecting a pod admit to one of its ports: `everyone` when some rule has no
 * `from` (Kubernetes reads that as every source), else every peer of every rule that covers the port.
 * A pod no policy selects is open to everyone; that counts as `everyone` too.
 */
export function admittedTo(
  objects: readonly KubeObject[],
  podLabels: Record<string, string>,
  port: NamedPort,
): 'everyone' | unknown[] {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy' && selects(object, podLabels));
  if (policies.length === 0) return 'everyone';
  const peers: unknown[] = [];
  for (const policy of policies) {
    for (const rule of (policy.spec as PolicySpec).ingress ?? []) {
      const covers =
        !rule.ports?.length ||
        rule.ports.some((entry) => entry.port === port.name || entry.port === port.number);
      if (!covers) continue;
      if (!rule.from?.length) return 'everyone';
      peers.push(...rule.from);
    }
  }
  return peers;
}
