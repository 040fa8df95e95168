export { LocalStackTarget, type LocalStackTargetOptions } from './local-stack-target';
export { KubeTarget, type KubeTargetOptions } from './kube-target';
