export {
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
  type RunningService,
  type StackServiceSpec,
} from './local-stack';
export { ensureRedis, redisAnswers, type RedisHandle } from './private-redis';
export { DurableRedis, type AppendFsyncPolicy, type DurableRedisOptions } from './durable-redis';
export { ServiceProcess, appEntry, type AppName, type ServiceProcessOptions } from './service-process';
export { freePort } from './free-port';
export { startDelayServer, type DelayServer } from './delay-server';
export {
  startRedisCluster,
  type RedisClusterHandle,
  type RedisClusterOptions,
} from './private-redis-cluster';
