import { randomBytes } from 'node:crypto';

/**
 * `<prefix>-<12 random hex chars>`: unique names for topics, groups and
 * sessions, so tests sharing one broker never see each other's data.
 * Only `[a-z0-9-]` after the prefix, valid in Kafka topic and group names.
 */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
