import { withQuietAdmin } from './kafka-admin.js';
import { uniqueId } from './unique-id.js';
import { waitFor } from './wait-for.js';

/** Options of {@link waitForKafka}. */
export interface KafkaProbeOptions {
  timeoutMs: number;
  /**
   * Also create and delete a probe topic (proves the controller is elected
   * and metadata flows, not just that the socket answers) and look up a
   * group's coordinator, which makes the broker create __consumer_offsets now
   * rather than in the first test that joins a group. For brokers we own.
   */
  createTopic: boolean;
  /** Replication factor of the probe topic. Default 1. */
  replicationFactor?: number;
  /** Aborted when waiting is pointless (the broker process died). */
  signal?: AbortSignal;
}

/** Resolves once the broker answers an admin call; throws after the deadline. */
export async function waitForKafka(brokers: readonly string[], options: KafkaProbeOptions): Promise<void> {
  await waitFor(
    () =>
      withQuietAdmin(brokers, async (admin) => {
        if (!options.createTopic) {
          await admin.listTopics();
          return true;
        }
        const topic = uniqueId('fanout-probe');
        await admin.createTopics({
          topics: [{ topic, numPartitions: 1, replicationFactor: options.replicationFactor ?? 1 }],
          waitForLeaders: true,
        });
        await admin.deleteTopics({ topics: [topic] });
        // Throws (and is retried) while the coordinator is not available or loading.
        await admin.describeGroups([uniqueId('fanout-probe')]);
        return true;
      }),
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 250,
      description: `Kafka at ${brokers.join(',')} to answer an admin call`,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}
