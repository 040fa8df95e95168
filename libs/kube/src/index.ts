export {
  connectKube,
  KubeConnectionError,
  type KubeConnection,
  type KubeConnectionOptions,
} from './kube-connection';
export {
  findConsumerDeployments,
  podStatsUrls,
  CONSUMER_COMPONENTS,
  SWITCHYARD_NAME_LABEL,
  type ConsumerComponent,
  type ConsumerDeployment,
} from './consumer-deployments';
export { DeploymentScaler, ScaleTimeoutError, type DeploymentScalerOptions } from './deployment-scaler';
