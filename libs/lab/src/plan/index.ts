export {
  buildLocalPlan,
  redisCells,
  REDIS_LANES,
  autoRoutedJobs,
  AUTO_WARM_UP_JOBS_PER_TASK,
  type AutoRoutingWarmUp,
  type CellSpec,
  type JobMix,
  type JobKind,
  type ConsumerShape,
  type KubeScale,
  type PlanOptions,
} from './experiment-plan';
export { buildKubePlan } from './kube-plan';
