export { type CreateTopicOptions, createTopic } from './create-topic.js';
export {
  HarnessError,
  type HarnessErrorCode,
  type MissingProgram,
  PrerequisiteError,
  StartupError,
} from './errors.js';
export { freePort, freePorts } from './free-port.js';
export type { BrokerPropertyValue } from './kafka-config.js';
export { KAFKA_VERSION } from './kafka-dist.js';
export type { KafkaHandle, StartKafkaOptions } from './kafka-handle.js';
export type { RedisHandle, StartRedisOptions } from './redis-handle.js';
export {
  type ClusterNodeInfo,
  LocalRedisCluster,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './local-redis-cluster.js';
export type { RestartOptions, ServiceHandle } from './service-handle.js';
export { parseBrokerList, startKafka } from './start-kafka.js';
export { startRedis } from './start-redis.js';
export { uniqueId } from './unique-id.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
