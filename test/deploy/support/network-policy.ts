import type { KubeObject } from './kube-object';

interface PolicyPort {
  port?: number | string;
  protocol?: string;
}

interface IngressRule {
  from?: unknown[];
  ports?: PolicyPort[];
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: IngressRule[];
}

/** A container port as a NetworkPolicy may name it: by name or by number. */
export interface NamedPort {
  name: string;
  number: number;
}

/** Whether a label selector (matchLabels and In/NotIn/Exists expressions) selects these labels. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel &&
    (selector?.matchExpressions ?? []).every((expression) => {
      const value = labels[expression.key];
      if (expression.operator === 'In') return value !== undefined && !!expression.values?.includes(value);
      if (expression.operator === 'NotIn') return value === undefined || !expression.values?.includes(value);
      if (expression.operator === 'Exists') return value !== undefined;
      return value === undefined;
    })
  );
}

function selects(policy: KubeObject, podLabels: Record<string, string>): boolean {
  return selectorMatches((policy.spec as PolicySpec).podSelector, podLabels);
}

/** Policies that select a pod for ingress (policyTypes absent means Ingress). */
function ingressPolicies(objects: readonly KubeObject[], podLabels: Record<string, string>): KubeObject[] {
  return objects.filter((object) => {
    if (object.kind !== 'NetworkPolicy' || !selects(object, podLabels)) return false;
    const types = (object.spec as PolicySpec).policyTypes;
    return !types || types.includes('Ingress');
  });
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
  const policies = ingressPolicies(objects, podLabels);
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

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

interface EgressRule {
  to?: Peer[];
  ports?: PolicyPort[];
}

/** Whether an ingress peer list (from admittedTo) lets in a pod of the release's own namespace. */
export function admitsPod(peers: 'everyone' | unknown[], podLabels: Record<string, string>): boolean {
  if (peers === 'everyone') return true;
  return (peers as Peer[]).some(
    (peer) => !peer.namespaceSelector && !peer.ipBlock && selectorMatches(peer.podSelector, podLabels),
  );
}

function coversPort(rule: { ports?: PolicyPort[] }, port: NamedPort, protocol: string): boolean {
  return (
    !rule.ports?.length ||
    rule.ports.some(
      (entry) =>
        (entry.port === undefined || entry.port === port.name || entry.port === port.number) &&
        (entry.protocol ?? 'TCP') === protocol,
    )
  );
}

/**
 * Whether the egress policies selecting a pod let it open a connection on `port` to `target`: a pod of its
 * own namespace (by labels), or `external` (an address outside the cluster's pods). A pod no egress policy
 * selects may connect anywhere.
 */
export function egressAllowed(
  objects: readonly KubeObject[],
  sourceLabels: Record<string, string>,
  target: Record<string, string> | 'external',
  port: NamedPort,
  protocol = 'TCP',
): boolean {
  const policies = objects.filter(
    (object) =>
      object.kind === 'NetworkPolicy' &&
      selects(object, sourceLabels) &&
      !!(object.spec as PolicySpec).policyTypes?.includes('Egress'),
  );
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    ((policy.spec as { egress?: EgressRule[] }).egress ?? []).some((rule) => {
      if (!coversPort(rule, port, protocol)) return false;
      if (!rule.to?.length) return true;
      return rule.to.some((peer) =>
        target === 'external'
          ? peer.ipBlock !== undefined
          : !peer.ipBlock &&
            (!peer.namespaceSelector || Object.keys(peer.namespaceSelector).length === 0) &&
            selectorMatches(peer.podSelector, target),
      );
    }),
  );
}
