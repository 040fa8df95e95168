import { QueueKeys } from 'bullmq';
import { laneQueuePrefix } from '@switchyard/queue';
import { envValue, findObject, podOwners, type KubeObject } from './kube-object';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * What the lab may do, and nothing more: the calls of libs/kube. List Deployments by label
 * (findConsumerDeployments; a list cannot be limited by name), read a consumer Deployment
 * (DeploymentScaler.waitReady), read and patch its scale (DeploymentScaler), list pods (podStatsUrls).
 */
export function labRules(consumers: readonly string[]): PolicyRule[] {
  return [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: [...consumers] },
    {
      apiGroups: ['apps'],
      resources: ['deployments/scale'],
      verbs: ['get', 'patch'],
      resourceNames: [...consumers],
    },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  ];
}

/**
 * The rendered consumer Deployments the lab finds and scales, by name: libs/kube's findConsumerDeployments
 * selects components io-consumer and compute (not the extra pools, compute-<pool>).
 */
export function consumerDeployments(objects: readonly KubeObject[]): string[] {
  return objects
    .filter(
      (object) =>
        object.kind === 'Deployment' &&
        /^(io-consumer|compute)$/.test(object.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
    )
    .map((object) => object.metadata.name)
    .sort();
}

/** Namespaced Roles only, exactly the lab's rules, bound to the release's own ServiceAccount. */
export function rbacViolations(objects: readonly KubeObject[], namespace: string): string[] {
  const violations: string[] = [];
  for (const object of objects) {
    const at = `${object.kind}/${object.metadata.name}`;
    if (object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding') {
      violations.push(`${at}: cluster-wide RBAC; Switchyard needs its own namespace only`);
    }
    if (object.kind === 'Role') {
      const rules = (object.rules ?? []) as PolicyRule[];
      const needed = labRules(consumerDeployments(objects));
      if (JSON.stringify(rules) !== JSON.stringify(needed)) {
        violations.push(
          `${at}: rules ${JSON.stringify(rules)} differ from the least needed ${JSON.stringify(needed)}`,
        );
      }
    }
    if (object.kind === 'RoleBinding') {
      const roleRef = object.roleRef as { kind: string; name: string };
      const subjects = (object.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
      if (roleRef.kind !== 'Role' || !findObject(objects, 'Role', roleRef.name)) {
        violations.push(`${at}: binds ${roleRef.kind}/${roleRef.name}, not a Role of this release`);
      }
      for (const subject of subjects) {
        if (subject.kind !== 'ServiceAccount' || subject.namespace !== namespace) {
          violations.push(
            `${at}: subject ${subject.kind}/${subject.name} is not a ServiceAccount in ${namespace}`,
          );
        } else if (!findObject(objects, 'ServiceAccount', subject.name)) {
          violations.push(`${at}: subject ServiceAccount/${subject.name} is not rendered`);
        }
      }
    }
  }
  return violations;
}

interface ScaledObjectSpec {
  scaleTargetRef: { name: string };
  advanced?: {
    scalingModifiers?: { formula?: string };
    horizontalPodAutoscalerConfig?: { behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } } };
  };
  triggers: {
    type: string;
    name?: string;
    metadata: Record<string, string>;
    authenticationRef?: { name: string };
  }[];
}

/**
 * KEDA's triggers must read the keys BullMQ writes for the lane the target Deployment serves: the wait
 * list, the prioritized sorted set and the active list (never delayed), summed by the scaling formula,
 * with a scale-down stabilization window. Key names come
 * from BullMQ's own QueueKeys with the lane's BullMQ prefix the apps use (`laneQueuePrefix`), so a change on either side shows here.
 */
export function kedaViolations(objects: readonly KubeObject[]): string[] {
  const configData = (objects.find((object) => object.kind === 'ConfigMap')?.data ?? {}) as Record<
    string,
    string
  >;
  const violations: string[] = [];
  for (const object of objects.filter((candidate) => candidate.kind === 'ScaledObject')) {
    const at = `ScaledObject/${object.metadata.name}`;
    const spec = object.spec as ScaledObjectSpec;
    const target = podOwners(objects).find(
      (owner) =>
        owner.object.kind === 'Deployment' && owner.object.metadata.name === spec.scaleTargetRef.name,
    );
    if (!target) {
      violations.push(`${at}: targets Deployment ${spec.scaleTargetRef.name}, which is not rendered`);
      continue;
    }
    const lane = envValue(target.podSpec.containers[0], 'LANE');
    const keys = new QueueKeys(laneQueuePrefix(configData.QUEUE_PREFIX, lane ?? '')).getKeys(lane ?? '');
    const expected = { wait: keys.wait, prioritized: keys.prioritized, active: keys.active };
    const actual = Object.fromEntries(
      spec.triggers.map((trigger) => [trigger.name, trigger.metadata.listName]),
    );
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      violations.push(
        `${at}: triggers read ${JSON.stringify(actual)}, BullMQ keeps lane ${lane} in ${JSON.stringify(expected)}`,
      );
    }
    // KEDA's scaler for a Redis Cluster is its own type; the apps say which they talk to.
    const scaler =
      envValue(target.podSpec.containers[0], 'REDIS_MODE') === 'cluster' ? 'redis-cluster' : 'redis';
    if (spec.triggers.some((trigger) => trigger.type !== scaler))
      violations.push(`${at}: a trigger is not of type ${scaler}`);
    if (spec.advanced?.scalingModifiers?.formula?.replace(/\s+/g, '') !== 'wait+prioritized+active') {
      violations.push(`${at}: the scaling formula does not add wait, prioritized and active`);
    }
    const scaleDown = spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown;
    if (!scaleDown?.stabilizationWindowSeconds) {
      violations.push(`${at}: no scale-down stabilization: pods running jobs may be removed at once`);
    }
    for (const trigger of spec.triggers) {
      const auth = trigger.authenticationRef?.name;
      if (auth && !findObject(objects, 'TriggerAuthentication', auth)) {
        violations.push(
          `${at}: trigger ${trigger.name} uses TriggerAuthentication/${auth}, which is not rendered`,
        );
      }
    }
    if (findObject(objects, 'HorizontalPodAutoscaler', spec.scaleTargetRef.name)) {
      violations.push(`${at}: an HPA also scales ${spec.scaleTargetRef.name}`);
    }
  }
  return violations;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

/** Services, PDBs and HPAs must point at something rendered; the api is the only open door. */
export function referenceViolations(objects: readonly KubeObject[]): string[] {
  const owners = podOwners(objects).filter((owner) => owner.longRunning);
  const violations: string[] = [];
  for (const object of objects) {
    const at = `${object.kind}/${object.metadata.name}`;
    const spec = object.spec as Record<string, unknown> | undefined;
    if (object.kind === 'Service' || object.kind === 'PodDisruptionBudget') {
      const selector =
        object.kind === 'Service'
          ? (spec?.selector as Record<string, string>)
          : (spec?.selector as { matchLabels: Record<string, string> }).matchLabels;
      if (!owners.some((owner) => selects(selector, owner.podLabels)))
        violations.push(`${at}: selects no pods`);
    }
    if (object.kind === 'HorizontalPodAutoscaler') {
      const name = (spec?.scaleTargetRef as { name: string }).name;
      if (!findObject(objects, 'Deployment', name))
        violations.push(`${at}: targets Deployment ${name}, not rendered`);
    }
    if (object.kind === 'NetworkPolicy') {
      const ingress = (spec?.ingress ?? []) as { from?: unknown[] }[];
      const openToAll = ingress.some((rule) => !rule.from || rule.from.length === 0);
      const component = (spec?.podSelector as { matchLabels: Record<string, string> }).matchLabels[
        'app.kubernetes.io/component'
      ];
      if (openToAll && component !== 'api')
        violations.push(`${at}: open to every source but is not the api's`);
    }
  }
  return violations;
}
