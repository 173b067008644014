import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';

/** Where the harness's admin calls go: bootstrap addresses, or a kafkajs config with TLS/SASL. */
export type KafkaTarget =
  | readonly string[]
  | (Pick<KafkaConfig, 'ssl' | 'sasl'> & { brokers: readonly string[] });

/**
 * A kafkajs admin client that fails fast instead of retrying on its own (the
 * callers poll with their own deadline) and logs nothing.
 */
export async function withQuietAdmin<T>(target: KafkaTarget, use: (admin: Admin) => Promise<T>): Promise<T> {
  const { brokers, ...security } = 'brokers' in target ? target : { brokers: target };
  const kafka = new Kafka({
    clientId: 'fanout-testing',
    brokers: [...brokers],
    ...security,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
