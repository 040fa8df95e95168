import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

const ATTR_K8S_POD_NAME = 'k8s.pod.name';
const ATTR_K8S_NAMESPACE_NAME = 'k8s.namespace.name';
const UNKNOWN_VERSION = '0.0.0';

/** The version in the nearest `package.json` above this file: the repo's in a checkout, the app's in an image. */
export function findServiceVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const { version } = JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown };
      if (typeof version === 'string') return version;
    }
    if (path.dirname(dir) === dir) return UNKNOWN_VERSION;
  }
}

/**
 * The base resource: the SDK's defaults, our service name and version, and the pod's name and
 * namespace from `POD_NAME`/`POD_NAMESPACE` (the chart sets them through the downward API).
 * The SDK's detectors merge over it, the `env` detector last, so `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` win; they also add `service.instance.id`, `host.*`, `os.*`, `process.*`.
 */
export function baseResource(serviceName: string, serviceVersion: string, env: NodeJS.ProcessEnv): Resource {
  const attributes: Record<string, string> = {
    [ATTR_SERVICE_NAME]: serviceName,
    [ATTR_SERVICE_VERSION]: serviceVersion,
  };
  if (env.POD_NAME) attributes[ATTR_K8S_POD_NAME] = env.POD_NAME;
  if (env.POD_NAMESPACE) attributes[ATTR_K8S_NAMESPACE_NAME] = env.POD_NAMESPACE;
  return defaultResource().merge(resourceFromAttributes(attributes));
}
