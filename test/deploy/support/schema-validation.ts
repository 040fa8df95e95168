import Ajv from 'ajv';
import type { KubeObject } from './kube-object';
import { PROMETHEUS_RULE_SCHEMA, SERVICE_MONITOR_SCHEMA } from './prometheus-operator-schemas';

/** Kinds whose CRD has no model package: checked against the schemas of prometheus-operator-schemas.ts. */
const ajv = new Ajv({ allErrors: true, strict: false });
const CRD_VALIDATORS: Record<string, ReturnType<typeof ajv.compile>> = {
  'monitoring.coreos.com/v1 ServiceMonitor': ajv.compile(SERVICE_MONITOR_SCHEMA),
  'monitoring.coreos.com/v1 PrometheusRule': ajv.compile(PROMETHEUS_RULE_SCHEMA),
};

/**
 * Where the JSON-schema model of each apiVersion lives: the Kubernetes API (kubernetes-models) and KEDA's
 * CRDs (@kubernetes-models/keda, generated from KEDA's own CRD schemas). An apiVersion missing here
 * fails the check rather than passing unvalidated.
 */
const MODEL_MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

type ModelClass = new (data: unknown) => { validate(): void };

// The model packages are ES modules only; import() loads them from this CommonJS build.
const modules = new Map<string, Promise<Record<string, unknown>>>();

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const specifier = MODEL_MODULES[apiVersion];
  if (!specifier) return undefined;
  let loading = modules.get(specifier);
  if (!loading) {
    loading = import(specifier) as Promise<Record<string, unknown>>;
    modules.set(specifier, loading);
  }
  const model = (await loading)[kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

/**
 * Validates every object against its API schema (types, required fields, enums, formats).
 * @returns one line per invalid object; empty when all pass.
 */
export async function schemaViolations(objects: readonly KubeObject[]): Promise<string[]> {
  const violations: string[] = [];
  for (const object of objects) {
    const label = `${object.kind}/${object.metadata?.name}`;
    const crd = CRD_VALIDATORS[`${object.apiVersion} ${object.kind}`];
    if (crd) {
      if (!crd(object)) violations.push(`${label}: ${ajv.errorsText(crd.errors)}`);
      continue;
    }
    const Model = await modelClass(object.apiVersion, object.kind);
    if (!Model) {
      violations.push(`${label}: no schema known for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      violations.push(`${label}: ${(error as Error).message}`);
    }
  }
  return violations;
}
