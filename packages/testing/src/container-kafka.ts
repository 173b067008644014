import { ContainerService } from './container-service.js';
import { KAFKA_VERSION } from './kafka-dist.js';
import type { KafkaHandle } from './kafka-handle.js';
import { waitForKafka } from './kafka-probe.js';
import type { RestartOptions } from './service-handle.js';

class ContainerKafka implements KafkaHandle {
  readonly external = false;
  readonly runtime = 'container';
  readonly pid = undefined;
  readonly logFile = undefined;

  constructor(
    private readonly service: ContainerService,
    private readonly timeoutMs: number,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.service.hostPort}`];
  }

  stop(): Promise<void> {
    return this.service.stop();
  }

  async restart(options?: RestartOptions): Promise<void> {
    await this.service.restart(options);
    await waitForKafka(this.brokers, { timeoutMs: this.timeoutMs, createTopic: true });
  }

  logTail(): string {
    return '';
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Kafka in the `apache/kafka` image, single-node KRaft, published on a free host port. */
export async function startContainerKafka(timeoutMs: number): Promise<KafkaHandle> {
  const service = await ContainerService.start({
    image: `apache/kafka:${KAFKA_VERSION}`,
    containerPort: 9092,
    readyLog: /Kafka Server started/,
    startTimeoutMs: timeoutMs,
    // Clients on the host reach the published port, so that is what the broker advertises.
    environment: (hostPort) => ({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '3',
    }),
  });
  const kafka = new ContainerKafka(service, timeoutMs);
  try {
    await waitForKafka(kafka.brokers, { timeoutMs, createTopic: true });
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  return kafka;
}
