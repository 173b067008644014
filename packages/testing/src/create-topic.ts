import type { ITopicConfig } from 'kafkajs';
import { type KafkaTarget, withQuietAdmin } from './kafka-admin.js';
import { uniqueId } from './unique-id.js';
import { waitFor } from './wait-for.js';

/** Options of {@link createTopic}. */
export interface CreateTopicOptions {
  /** Number of partitions. */
  partitions: number;
  /** Topic name; default a unique `t-<random>`. */
  name?: string;
  /**
   * Replication factor: 3 on a startKafkaCluster() cluster, -1 for the
   * broker's `default.replication.factor`. Default 1 (the single test broker).
   */
  replicationFactor?: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '1000' }`. */
  config?: Readonly<Record<string, string>>;
}

/** Creates a topic and waits for its partitions' leaders; returns its name. */
export async function createTopic(target: KafkaTarget, options: CreateTopicOptions): Promise<string> {
  const brokers = 'brokers' in target ? target.brokers : target;
  const topic = options.name ?? uniqueId('t');
  const configEntries = Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value }));
  const spec: ITopicConfig = {
    topic,
    numPartitions: options.partitions,
    replicationFactor: options.replicationFactor ?? 1,
    configEntries,
  };
  await withQuietAdmin(target, async (admin) => {
    // Not kafkajs's waitForLeaders: on a loaded machine its few metadata
    // retries give up (UNKNOWN_TOPIC_OR_PARTITION) before a topic of many
    // partitions has its leaders; the wait below polls with a deadline.
    const created = await admin.createTopics({ topics: [spec], waitForLeaders: false });
    if (!created) throw new Error(`topic ${topic} already exists`);
  });
  await Promise.all(
    brokers.map((broker) =>
      waitFor(
        () =>
          withQuietAdmin('brokers' in target ? { ...target, brokers: [broker] } : [broker], async (admin) => {
            const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
            const partitions = metadata.topics[0]?.partitions ?? [];
            return partitions.length === options.partitions && partitions.every((p) => p.leader >= 0);
          }),
        { timeoutMs: 30_000, intervalMs: 100, description: `${broker} to know ${topic} and its leaders` },
      ),
    ),
  );
  return topic;
}
