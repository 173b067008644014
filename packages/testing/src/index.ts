export { type CreateTopicOptions, createTopic } from './create-topic.js';
export type { KafkaTarget } from './kafka-admin.js';
export {
  HarnessError,
  type HarnessErrorCode,
  type MissingProgram,
  PrerequisiteError,
  StartupError,
} from './errors.js';
export { findExecutable, requirePrograms } from './find-executable.js';
export { freePort, freePorts } from './free-port.js';
export { type JwksServer, startJwksServer } from './jwks-server.js';
export type { BrokerPropertyValue, SaslMechanism } from './kafka-config.js';
export { KAFKA_VERSION } from './kafka-dist.js';
export {
  type KafkaClusterHandle,
  type KafkaClusterNode,
  type PartitionState,
  type StartKafkaClusterOptions,
  startKafkaCluster,
} from './kafka-cluster.js';
export type {
  KafkaHandle,
  KafkaSaslSslAccess,
  SaslSslKafkaHandle,
  SaslSslOptions,
  StartKafkaOptions,
} from './kafka-handle.js';
export { QUOTE_SYMBOLS, produceQuotes, quotePayload, quoteSeq } from './quotes.js';
export type { RedisHandle, StartRedisOptions } from './redis-handle.js';
export {
  type ClusterNodeInfo,
  LocalRedisCluster,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './local-redis-cluster.js';
export type { RestartOptions, ServiceHandle } from './service-handle.js';
export { parseBrokerList, startKafka } from './start-kafka.js';
export { type ScramMechanismName, upsertScramUser } from './scram-user.js';
export { startRedis } from './start-redis.js';
export { type TestCertificates, createTestCertificates } from './test-certificates.js';
export { uniqueId } from './unique-id.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
