// What test/global-setup.ts hands to integration tests through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap addresses of the run's Kafka broker. */
    kafkaBrokers: string[];
    /** URL of the run's Redis. */
    redisUrl: string;
    /** True when the broker came from KAFKA_BROKERS: tests must not start a JVM of their own. */
    kafkaExternal: boolean;
    /** True when Redis came from REDIS_URL: tests must not start a redis-server of their own. */
    redisExternal: boolean;
  }
}

export {};
