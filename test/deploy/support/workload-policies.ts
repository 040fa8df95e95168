import { envValue, podOwners, type IContainer, type KubeObject, type PodOwner } from './kube-object';

const REQUIRED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of',
];

/** Consumers drain on SIGTERM; their grace period must outlast the drain. */
const DRAINING_ARGS = ['dist/apps/io-consumer/src/main.js', 'dist/apps/compute/src/main.js'];

function containerLabel(owner: PodOwner, container: IContainer): string {
  return `${owner.object.kind}/${owner.object.metadata.name} container ${container.name}`;
}

function securityViolations(owner: PodOwner, container: IContainer): string[] {
  const at = containerLabel(owner, container);
  const pod = owner.podSpec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const violations: string[] = [];
  if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) violations.push(`${at}: runAsNonRoot is not true`);
  if ((own.runAsUser ?? pod.runAsUser) === 0) violations.push(`${at}: runs as uid 0`);
  if (own.allowPrivilegeEscalation !== false) violations.push(`${at}: allowPrivilegeEscalation is not false`);
  if (own.readOnlyRootFilesystem !== true) violations.push(`${at}: readOnlyRootFilesystem is not true`);
  if (!own.capabilities?.drop?.includes('ALL')) violations.push(`${at}: capabilities do not drop ALL`);
  if (own.capabilities?.add?.length)
    violations.push(`${at}: adds capabilities ${own.capabilities.add.join(',')}`);
  const seccomp = own.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault')
    violations.push(`${at}: seccompProfile is ${seccomp}, not RuntimeDefault`);
  if (own.privileged) violations.push(`${at}: privileged`);
  if (!container.volumeMounts?.some((mount) => mount.mountPath === '/tmp')) {
    violations.push(`${at}: read-only root filesystem but no writable /tmp mounted`);
  }
  return violations;
}

function resourceViolations(owner: PodOwner, container: IContainer): string[] {
  const at = containerLabel(owner, container);
  const violations: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[kind]?.[resource] === undefined)
        violations.push(`${at}: no ${kind}.${resource}`);
    }
  }
  return violations;
}

function imageViolations(owner: PodOwner, container: IContainer): string[] {
  const at = containerLabel(owner, container);
  const image = container.image ?? '';
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.split('/').pop() ?? '';
  if (!lastSegment.includes(':')) return [`${at}: image "${image}" has no tag`];
  if (lastSegment.endsWith(':latest')) return [`${at}: image "${image}" uses the latest tag`];
  return [];
}

function probeViolations(owner: PodOwner, container: IContainer): string[] {
  if (!owner.longRunning) return [];
  const at = containerLabel(owner, container);
  const violations: string[] = [];
  if (!container.livenessProbe) violations.push(`${at}: no livenessProbe`);
  if (!container.readinessProbe) violations.push(`${at}: no readinessProbe`);
  return violations;
}

/** Each `$(VAR)` in env, args or command must name a variable defined earlier or by envFrom. */
function expansionViolations(owner: PodOwner, container: IContainer, configMapKeys: Set<string>): string[] {
  const at = containerLabel(owner, container);
  const known = new Set(container.envFrom?.length ? configMapKeys : []);
  const violations: string[] = [];
  const check = (text: string | undefined, where: string) => {
    for (const [, name] of (text ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
      if (!known.has(name)) violations.push(`${at}: ${where} uses $(${name}) before it is defined`);
    }
  };
  for (const variable of container.env ?? []) {
    check(variable.value, `env ${variable.name}`);
    known.add(variable.name);
  }
  for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) check(arg, 'args');
  return violations;
}

/** Seconds a pod needs after its drain or preStop sleep: closing Redis, flushing telemetry. */
export const SHUTDOWN_MARGIN_SECONDS = 5;

/**
 * The grace period must cover what happens before the kubelet's SIGKILL: a consumer's drain
 * (DRAIN_TIMEOUT_MS) or a container's preStop sleep, plus the shutdown margin.
 */
function graceViolations(owner: PodOwner, drainTimeoutMs: number): string[] {
  const at = `${owner.object.kind}/${owner.object.metadata.name}`;
  const grace = owner.podSpec.terminationGracePeriodSeconds ?? 30;
  const drains = owner.podSpec.containers.some((container) =>
    container.args?.some((arg) => DRAINING_ARGS.includes(arg)),
  );
  const violations: string[] = [];
  if (drains && grace < Math.ceil(drainTimeoutMs / 1000) + SHUTDOWN_MARGIN_SECONDS) {
    violations.push(
      `${at}: terminationGracePeriodSeconds ${grace} is below DRAIN_TIMEOUT_MS ${drainTimeoutMs} + ${SHUTDOWN_MARGIN_SECONDS} s`,
    );
  }
  for (const container of owner.podSpec.containers) {
    const sleep = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    if (sleep && grace < sleep + SHUTDOWN_MARGIN_SECONDS) {
      violations.push(
        `${at}: terminationGracePeriodSeconds ${grace} does not cover container ${container.name}'s preStop sleep of ${sleep} s + ${SHUTDOWN_MARGIN_SECONDS} s`,
      );
    }
  }
  return violations;
}

function tokenViolations(owner: PodOwner): string[] {
  const at = `${owner.object.kind}/${owner.object.metadata.name}`;
  if (owner.podSpec.automountServiceAccountToken === false) return [];
  // Only a pod with its own ServiceAccount (the lab) may talk to the Kubernetes API.
  return owner.podSpec.serviceAccountName ? [] : [`${at}: mounts the default ServiceAccount's token`];
}

/**
 * The rules every rendered pod must keep: non-root, read-only root FS, no privilege escalation, all
 * capabilities dropped, seccomp RuntimeDefault, requests and limits, pinned images, probes on long-running
 * containers, $(VAR) defined before use, grace period above the drain timeout, no stray API token.
 * Plus the standard labels on every object.
 */
export function workloadViolations(objects: readonly KubeObject[]): string[] {
  const configMap = objects.find((object) => object.kind === 'ConfigMap');
  const configData = (configMap?.data ?? {}) as Record<string, string>;
  const configMapKeys = new Set(Object.keys(configData));
  const drainTimeoutMs = Number(configData.DRAIN_TIMEOUT_MS ?? 25_000);
  const violations: string[] = [];
  for (const object of objects) {
    const missing = REQUIRED_LABELS.filter((label) => !object.metadata.labels?.[label]);
    if (missing.length)
      violations.push(`${object.kind}/${object.metadata.name}: no label ${missing.join(', ')}`);
  }
  for (const owner of podOwners(objects)) {
    const pod = owner.podSpec;
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
      violations.push(`${owner.object.kind}/${owner.object.metadata.name}: shares a host namespace`);
    }
    violations.push(...graceViolations(owner, drainTimeoutMs), ...tokenViolations(owner));
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      violations.push(
        ...securityViolations(owner, container),
        ...resourceViolations(owner, container),
        ...imageViolations(owner, container),
        ...expansionViolations(owner, container, configMapKeys),
      );
    }
    // Init containers run to completion: Kubernetes refuses probes on them.
    for (const container of pod.containers) violations.push(...probeViolations(owner, container));
  }
  return violations;
}

/** Every lane a consumer serves, and both profile lanes, must be in LANES (the apps refuse to start otherwise). */
export function laneViolations(objects: readonly KubeObject[]): string[] {
  const configData = (objects.find((object) => object.kind === 'ConfigMap')?.data ?? {}) as Record<
    string,
    string
  >;
  const lanes = new Set((configData.LANES ?? '').split(','));
  const served = podOwners(objects).flatMap((owner) =>
    owner.podSpec.containers.map((container) => envValue(container, 'LANE')),
  );
  return [configData.IO_LANE, configData.CPU_LANE, ...served]
    .filter((lane): lane is string => lane !== undefined && !lanes.has(lane))
    .map((lane) => `lane "${lane}" is served or routed to but missing from LANES=${configData.LANES}`);
}
