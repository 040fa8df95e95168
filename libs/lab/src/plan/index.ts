export {
  buildLocalPlan,
  type CellSpec,
  type JobMix,
  type JobKind,
  type ConsumerShape,
  type KubeScale,
  type PlanOptions,
} from './experiment-plan';
export { buildKubePlan } from './kube-plan';
