import { type KafkaHandle, type RedisHandle, startKafka, startRedis } from '@fanout/testing';
import type { TestProject } from 'vitest/node';

const log = (message: string): void => {
  process.stderr.write(`[harness] ${message}\n`);
};

/**
 * One Kafka broker and one Redis for the whole integration run (or the ones
 * KAFKA_BROKERS / REDIS_URL name). Tests get them with inject('kafkaBrokers')
 * and inject('redisUrl'), and isolate themselves with unique topics, groups
 * and keys.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kafka, redis] = await Promise.allSettled([startKafka({ log }), startRedis({ log })]);
  const started = [kafka, redis].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((handle) => handle.stop()));
  };
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    await stopAll();
    const errors = [kafka, redis].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, errors.map(String).join('\n'));
  }
  provideAll(project, kafka.value, redis.value);
  return async () => {
    await stopAll();
    const failed = started.filter((handle) => handle.pid !== undefined);
    if (failed.length > 0)
      throw new Error(`servers still running after teardown: ${failed.map((h) => h.pid)}`);
  };
}

function provideAll(project: TestProject, kafka: KafkaHandle, redis: RedisHandle): void {
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('redisUrl', redis.url);
  project.provide('kafkaExternal', kafka.external);
  project.provide('redisExternal', redis.external);
  // Processes the tests spawn (edges, CLIs) find them the usual way too.
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  process.env.REDIS_URL = redis.url;
  log(`Kafka ${kafka.brokers.join(',')}${kafka.external ? ' (KAFKA_BROKERS)' : ''}`);
  log(`Redis ${redis.url}${redis.external ? ' (REDIS_URL)' : ''}`);
}
