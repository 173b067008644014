export {
  type KafkaConnection,
  type KafkaSaslMechanism,
  type KafkaSecurityProtocol,
  KafkaSettingsError,
  kafkaConnectionFromEnv,
  kafkaSettings,
  resolveKafkaConnection,
  toKafkajsConfig,
} from './kafka-connection.js';
