/**
 * Plain TypeScript shapes of the wire messages (see proto/fanout/v1/fanout.proto,
 * the normative spec). Decoded frames satisfy these types with every field
 * present (proto3 defaults filled in); encoders accept the `*Input` shapes in
 * which fields may be omitted.
 */
import type { ContinuityReasonValue, ErrorCodeValue, GoAwayReasonValue, StartValue } from './codes.js';

/** A Kafka coordinate: the last offset covered of one partition (-1: none yet). */
export interface Position {
  /** Kafka partition, >= 0. */
  partition: number;
  /** Last offset covered, a safe integer >= -1. */
  offset: number;
}

/** Positions of one channel, at most one entry per partition. */
export interface ChannelPositions {
  /** `<topic>` or `<topic>:<key>`. */
  channel: string;
  /** One position per partition. */
  positions: Position[];
}

/** A Kafka record header; keys may repeat. */
export interface Header {
  /** Header key. */
  key: string;
  /** Header value bytes; null when the Kafka header value is null. */
  value: Uint8Array | null;
}

/** First frame of a connection. */
export interface Hello {
  /** Auth token (JWT); empty only in the edge's insecure mode. */
  token: string;
  /** Session to resume; empty for a new session. */
  sessionId: string;
  /** Positions the client already delivered to its application, per channel. */
  delivered: ChannelPositions[];
  /** Client name, for logs. */
  clientName: string;
  /** Client version, for logs. */
  clientVersion: string;
  /** Protocol version spoken; see `PROTOCOL_VERSION`. */
  protocolVersion: number;
}

/** Subscribe to a channel. */
export interface Subscribe {
  /** Non-zero id echoed in the answer. */
  requestId: number;
  /** The channel. */
  channel: string;
  /** Where to start. */
  start: StartValue;
  /** With `Start.AFTER`: last offset processed per partition. */
  after: Position[];
  /** With `Start.TIMESTAMP`: start at the first record at or after this time (ms since the epoch). */
  timestampMs: number;
}

/** Leave a channel. */
export interface Unsubscribe {
  /** Non-zero id echoed in the answer. */
  requestId: number;
  /** The channel. */
  channel: string;
}

/** Cumulative acknowledgement per partition. */
export interface Ack {
  /** A subscribed channel. */
  channel: string;
  /** Highest offset processed per partition. */
  positions: Position[];
}

/** Replace the connection's token. */
export interface Refresh {
  /** The new token. */
  token: string;
}

/** Answer to Hello. */
export interface Welcome {
  sessionId: string;
  resumed: boolean;
  subscriptions: ChannelPositions[];
  heartbeatIntervalMs: number;
  maxFrameBytes: number;
  nodeId: string;
}

/** A subscription is live. */
export interface Subscribed {
  requestId: number;
  channel: string;
  positions: Position[];
  resumed: boolean;
}

/** Answer to Unsubscribe. */
export interface Unsubscribed {
  requestId: number;
  channel: string;
}

/** One Kafka record. */
export interface Publication {
  topic: string;
  partition: number;
  offset: number;
  /** Record key bytes; null when the Kafka key is null. */
  key: Uint8Array | null;
  headers: Header[];
  timestampMs: number;
  payload: Uint8Array;
  /** Empty on live publications; the subscription's channel on replayed ones. */
  channel: string;
}

/** Records a subscription needed are gone. */
export interface ContinuityLost {
  channel: string;
  partition: number;
  requestedOffset: number;
  availableOffset: number;
  reason: ContinuityReasonValue;
}

/** An error answer. */
export interface ErrorFrame {
  code: ErrorCodeValue;
  message: string;
  requestId: number;
  channel: string;
  retriable: boolean;
}

/** The edge asks the client to leave and reconnect. */
export interface GoAway {
  reason: GoAwayReasonValue;
  reconnectAfterMs: number;
  message: string;
}

/** An empty message (Ping, Pong). */
export type Empty = Record<string, never>;

/** Every frame a client sends, discriminated by `kind`. */
export type ClientFrame =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'subscribe'; subscribe: Subscribe }
  | { kind: 'unsubscribe'; unsubscribe: Unsubscribe }
  | { kind: 'ack'; ack: Ack }
  | { kind: 'ping'; ping: Empty }
  | { kind: 'pong'; pong: Empty }
  | { kind: 'refresh'; refresh: Refresh };

/** Every frame the edge sends, discriminated by `kind`. */
export type ServerFrame =
  | { kind: 'publication'; publication: Publication }
  | { kind: 'welcome'; welcome: Welcome }
  | { kind: 'subscribed'; subscribed: Subscribed }
  | { kind: 'unsubscribed'; unsubscribed: Unsubscribed }
  | { kind: 'continuityLost'; continuityLost: ContinuityLost }
  | { kind: 'error'; error: ErrorFrame }
  | { kind: 'ping'; ping: Empty }
  | { kind: 'pong'; pong: Empty }
  | { kind: 'goAway'; goAway: GoAway };

/** The kinds of client frames. */
export type ClientFrameKind = ClientFrame['kind'];
/** The kinds of server frames. */
export type ServerFrameKind = ServerFrame['kind'];

type Input<F> = F extends { kind: infer K extends string }
  ? K extends keyof F
    ? { kind?: K } & { [P in K]: Partial<F[K]> }
    : never
  : never;

/** What `encodeClientFrame` accepts: omitted fields take proto3 defaults. */
export type ClientFrameInput = Input<ClientFrame>;
/** What `encodeServerFrame` accepts: omitted fields take proto3 defaults. */
export type ServerFrameInput = Input<ServerFrame>;
/** What `encodePublication` accepts. */
export type PublicationInput = Partial<Publication> & Pick<Publication, 'topic' | 'partition' | 'offset'>;
