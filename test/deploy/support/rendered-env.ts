import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findObject, podOwners, type IContainer, type IPodSpec, type KubeObject } from './kube-object';

/** A rendered Deployment's pod and its first container, by the Deployment's name. */
export function workload(
  objects: readonly KubeObject[],
  name: string,
): { podSpec: IPodSpec; container: IContainer; annotations: Record<string, string> } {
  const owner = podOwners(objects).find((candidate) => candidate.object.metadata.name === name);
  if (!owner) throw new Error(`no pod owner ${name} rendered`);
  const template = (
    owner.object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }
  ).template;
  return {
    podSpec: owner.podSpec,
    container: owner.podSpec.containers[0],
    annotations: template?.metadata?.annotations ?? owner.object.metadata.annotations ?? {},
  };
}

/**
 * The environment a container starts with, as the kubelet builds it: its ConfigMaps (envFrom), then its
 * own `env` in order with `$(VAR)` expanded from what came before. A `valueFrom` entry takes its value
 * from `fromElsewhere` (pod name, Secret values…) and is left out when that has none.
 */
export function containerEnv(
  objects: readonly KubeObject[],
  container: IContainer,
  fromElsewhere: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const configMap = name ? findObject(objects, 'ConfigMap', name) : undefined;
    if (!configMap) throw new Error(`envFrom names ConfigMap ${name}, which is not rendered`);
    Object.assign(env, configMap.data as Record<string, string>);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) =>
        name in env ? env[name] : whole,
      );
    } else if (variable.name in fromElsewhere) {
      env[variable.name] = fromElsewhere[variable.name];
    }
  }
  return env;
}

/**
 * The text of the file at `filePath` inside the container, when it comes from a Secret volume: follows the
 * volumeMount, the volume's `items` and the Secret's key, as the kubelet would. `secrets` stands for the
 * Secrets the user creates (existingSecret); the chart's own are read from `objects`.
 */
export function secretFileText(
  objects: readonly KubeObject[],
  podSpec: IPodSpec,
  container: IContainer,
  filePath: string,
  secrets: Record<string, Record<string, string>> = {},
): string {
  const mount = container.volumeMounts?.find((candidate) =>
    filePath.startsWith(`${candidate.mountPath.replace(/\/$/, '')}/`),
  );
  if (!mount) throw new Error(`no volumeMount holds ${filePath}`);
  const volume = podSpec.volumes?.find((candidate) => candidate.name === mount.name);
  const secretName = volume?.secret?.secretName;
  if (!secretName) throw new Error(`volume ${mount.name} is not a Secret volume`);
  const relative = path.posix.relative(mount.mountPath, filePath);
  const items = volume.secret?.items;
  const key = items ? items.find((item) => item.path === relative)?.key : relative;
  if (!key) throw new Error(`Secret volume ${mount.name} projects nothing to ${relative}`);
  const rendered = findObject(objects, 'Secret', secretName);
  if (rendered) {
    const data = (rendered.data ?? {}) as Record<string, string>;
    if (!(key in data)) throw new Error(`Secret ${secretName} has no key ${key}`);
    return Buffer.from(data[key], 'base64').toString('utf8');
  }
  const provided = secrets[secretName]?.[key];
  if (provided === undefined)
    throw new Error(`Secret ${secretName} (key ${key}) is neither rendered nor given`);
  return provided;
}

/**
 * `env` with REDIS_PASSWORD_FILE pointing at a copy, in `dir`, of the file the pod's Secret volume would
 * hold there (see secretFileText), so that the apps' own loadConfig can read it outside Kubernetes.
 */
export function withRedisPasswordFile(
  objects: readonly KubeObject[],
  podSpec: IPodSpec,
  container: IContainer,
  env: Record<string, string>,
  dir: string,
  secrets: Record<string, Record<string, string>> = {},
): Record<string, string> {
  if (!env.REDIS_PASSWORD_FILE) return env;
  const copy = path.join(dir, `redis-password-${container.name}`);
  writeFileSync(copy, secretFileText(objects, podSpec, container, env.REDIS_PASSWORD_FILE, secrets));
  return { ...env, REDIS_PASSWORD_FILE: copy };
}
