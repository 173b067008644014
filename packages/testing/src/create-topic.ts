import type { ITopicConfig } from 'kafkajs';
import { type KafkaTarget, withQuietAdmin } from './kafka-admin.js';
import { uniqueId } from './unique-id.js';

/** Options of {@link createTopic}. */
export interface CreateTopicOptions {
  /** Number of partitions. */
  partitions: number;
  /** Topic name; default a unique `t-<random>`. */
  name?: string;
  /** Topic-level configs, e.g. `{ 'retention.ms': '1000' }`. */
  config?: Readonly<Record<string, string>>;
}

/** Creates a topic (replication factor 1) and waits for its partitions' leaders; returns its name. */
export async function createTopic(target: KafkaTarget, options: CreateTopicOptions): Promise<string> {
  const topic = options.name ?? uniqueId('t');
  const configEntries = Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value }));
  const spec: ITopicConfig = {
    topic,
    numPartitions: options.partitions,
    replicationFactor: 1,
    configEntries,
  };
  await withQuietAdmin(target, async (admin) => {
    const created = await admin.createTopics({ topics: [spec], waitForLeaders: true });
    if (!created) throw new Error(`topic ${topic} already exists`);
  });
  return topic;
}
