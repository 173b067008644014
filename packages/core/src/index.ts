/**
 * @fanout/core: the pure core of the fanout edge. No Node built-ins, no I/O:
 * clocks, timers, random sources and readers are injected.
 */
export type { AckBatch } from './ack-coalescer.js';
export { AckCoalescer, ackBatchSize } from './ack-coalescer.js';
export type {
  CatchUpEffect,
  CatchUpErrorCode,
  CatchUpOptions,
  CatchUpPartitionView,
  CatchUpPositions,
  CatchUpRecord,
  CatchUpSource,
  CatchUpView,
} from './catch-up-machine.js';
export { ackLimit, CatchUpError, CatchUpMachine } from './catch-up-machine.js';
export type { Channel, ParseChannelOptions, ParseChannelResult } from './channel.js';
export {
  channelMatches,
  DEFAULT_MAX_CHANNEL_BYTES,
  decodeKey,
  isValidTopic,
  keyChannelName,
  MAX_TOPIC_LENGTH,
  parseChannel,
  utf8ByteLength,
} from './channel.js';
export type { Acl } from './channel-acl.js';
export { AclPatternError, compileAcl, SUBJECT_PLACEHOLDER } from './channel-acl.js';
export type { CoveringDiff } from './covering-set.js';
export { coveringDiff, coveringTopics } from './covering-set.js';
export type { FanoutErrorOptions } from './errors.js';
export {
  AuthError,
  ConfigError,
  FanoutError,
  isRetriable,
  SourceError,
  StoreError,
} from './errors.js';
export { murmur2, partitionForKey } from './partitioner.js';
export type { RecordWindowOptions, WindowRecord } from './record-window.js';
export { RecordWindow } from './record-window.js';
export type { ContinuityLossReason, ContinuousPlan, ReplayInput, ReplayPlan } from './replay-planner.js';
export { planReplay } from './replay-planner.js';
export type {
  ScanCoordinatorOptions,
  ScanHandle,
  ScanRecord,
  ScanRequest,
  ScanSink,
  ScanSource,
  ScanStats,
} from './scan-coordinator.js';
export { ScanCoordinator } from './scan-coordinator.js';
export type { TakeoverPlan } from './session-owner.js';
export { ownerKey, ownsSession, parseOwnerKey, planTakeover } from './session-owner.js';
export type { AdmitDecision, QuotaRate, QuotaSession, SessionQuota } from './session-quota.js';
export { admitSession, boundedForLog } from './session-quota.js';
export { base64url, isWellFormedSessionId, newSessionId, SESSION_ID_BYTES } from './session-id.js';
export type { TimerFunctions, WriteBehindOptions } from './write-behind.js';
export { WriteBehind } from './write-behind.js';
