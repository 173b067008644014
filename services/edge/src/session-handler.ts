import { randomBytes } from 'node:crypto';
import {
  type Channel,
  type SessionQuota,
  type WriteBehind,
  ackLimit,
  boundedForLog,
  isWellFormedSessionId,
  newSessionId,
  ownerKey,
  parseChannel,
} from '@fanout/core';
import {
  type Ack,
  type ClientFrame,
  CloseCode,
  ContinuityReason,
  ErrorCode,
  type Hello,
  PROTOCOL_VERSION,
  Start,
  type Subscribe,
  type Unsubscribe,
  decodeClientFrame,
} from '@fanout/protocol';
import { type Authenticator, TokenError } from './auth.js';
import { type CatchUpContext, bringLive } from './catch-up.js';
import type { Connection, Subscription } from './connection.js';
import type { SessionOwners } from './session-owners.js';
import type { SessionStore } from './store/session-store.js';

/** What the frame handlers need from the edge. */
export interface HandlerContext extends CatchUpContext {
  auth: Authenticator;
  store: SessionStore;
  acks: WriteBehind;
  /** One owner per session: takeovers, releases, refused writes. */
  owners: SessionOwners;
  /** Sessions per subject and new sessions per second per subject. */
  sessionQuota: SessionQuota;
  nodeId: string;
  heartbeatIntervalMs: number;
  limits: {
    maxFrameBytes: number;
    maxSubscriptions: number;
    maxChannelBytes: number;
    maxFramesPerSecond: number;
  };
  /** Whether a topic not served yet would be once it exists (EDGE_TOPIC_PATTERN, or a listed topic not created yet). */
  wouldServe(topic: string): boolean;
  /** Told when a Hello created or resumed a session (metrics). */
  onSession?(outcome: 'created' | 'resumed'): void;
}

/** Handles one binary message. Decodes synchronously: the buffer is only valid until the first await. */
export function handleMessage(
  ctx: HandlerContext,
  conn: Connection,
  message: ArrayBuffer,
  isBinary: boolean,
): void {
  const now = Date.now();
  conn.lastSeenAt = now;
  const second = Math.floor(now / 1000);
  if (second !== conn.frameSecond) {
    conn.frameSecond = second;
    conn.framesThisSecond = 0;
  }
  if (++conn.framesThisSecond > ctx.limits.maxFramesPerSecond) {
    conn.error(ErrorCode.RATE_LIMITED, `more than ${ctx.limits.maxFramesPerSecond} frames per second`, {
      retriable: true,
    });
    conn.close(CloseCode.RATE_LIMITED, 'rate limited');
    return;
  }
  if (!isBinary) {
    conn.error(ErrorCode.MALFORMED_FRAME, 'text messages are not part of the protocol');
    conn.close(CloseCode.PROTOCOL_ERROR, 'text message');
    return;
  }
  if (message.byteLength > ctx.limits.maxFrameBytes) {
    conn.error(
      ErrorCode.FRAME_TOO_LARGE,
      `frame of ${message.byteLength} bytes exceeds ${ctx.limits.maxFrameBytes}`,
    );
    conn.close(CloseCode.FRAME_TOO_LARGE, 'frame too large');
    return;
  }
  const decoded = decodeClientFrame(new Uint8Array(message));
  if (!decoded.ok) {
    conn.error(decoded.error.code, decoded.error.message);
    if (decoded.error.code !== ErrorCode.UNKNOWN_FRAME)
      conn.close(CloseCode.PROTOCOL_ERROR, 'malformed frame');
    return;
  }
  dispatch(ctx, conn, decoded.frame).catch((err: unknown) => {
    conn.log.error({ err }, 'frame handler failed');
    if (!conn.closed) {
      conn.error(ErrorCode.INTERNAL, 'internal error', { retriable: true });
      conn.close(CloseCode.INTERNAL, 'internal error');
    }
  });
}

async function dispatch(ctx: HandlerContext, conn: Connection, frame: ClientFrame): Promise<void> {
  switch (frame.kind) {
    case 'ping':
      // A client with this much unread has not read the last pongs either: no pile of pongs.
      if (conn.bufferedAmount() <= ctx.softBytes) conn.send({ kind: 'pong', pong: {} });
      return;
    case 'pong':
      return;
    case 'hello':
      if (conn.helloState !== 'none') {
        conn.error(ErrorCode.HELLO_REPEATED, 'Hello was already received');
        conn.close(CloseCode.PROTOCOL_ERROR, 'hello repeated');
        return;
      }
      return onHello(ctx, conn, frame.hello);
    default:
      break;
  }
  if (conn.helloState !== 'done') {
    conn.error(ErrorCode.HELLO_REQUIRED, `${frame.kind} before Welcome`);
    conn.close(CloseCode.PROTOCOL_ERROR, 'hello required');
    return;
  }
  switch (frame.kind) {
    case 'subscribe':
      return onSubscribe(ctx, conn, frame.subscribe);
    case 'unsubscribe':
      return onUnsubscribe(ctx, conn, frame.unsubscribe);
    case 'ack':
      return onAck(ctx, conn, frame.ack);
    case 'refresh':
      return onRefresh(ctx, conn, frame.refresh.token);
  }
}

function authFailed(conn: Connection, err: unknown): void {
  if (err instanceof TokenError && err.reason === 'expired') {
    conn.error(ErrorCode.TOKEN_EXPIRED, 'token expired');
    conn.close(CloseCode.TOKEN_EXPIRED, 'token expired');
  } else if (err instanceof TokenError && err.reason === 'unavailable') {
    conn.log.warn({ err }, 'token key unavailable');
    conn.error(ErrorCode.AUTH_UNAVAILABLE, err.message, { retriable: true });
    conn.close(CloseCode.AUTH_UNAVAILABLE, 'auth unavailable');
  } else {
    conn.error(ErrorCode.UNAUTHENTICATED, (err as Error).message);
    conn.close(CloseCode.UNAUTHENTICATED, 'unauthenticated');
  }
}

function storeFailed(conn: Connection, err: unknown): void {
  conn.log.warn({ err }, 'session store unavailable');
  conn.error(ErrorCode.STORE_UNAVAILABLE, 'session store unavailable, retry later', { retriable: true });
  conn.close(CloseCode.STORE_UNAVAILABLE, 'store unavailable');
}

/**
 * The partitions a channel's position spans: every partition of its topic,
 * for `<topic>:<key>` as for `<topic>`. Which partition holds a key is the
 * producer's business (librdkafka hashes with CRC32, Java with murmur2,
 * others differently), and keys move when partitions are added.
 */
function channelPartitions(ctx: HandlerContext, channel: Channel): number[] | undefined {
  return ctx.topics.get(channel.topic)?.partitionList();
}

/** A whole-topic channel as the topic's one shared object (no Channel and name string per subscription). */
function sharedChannel(ctx: HandlerContext, channel: Channel): Channel {
  return (channel.key === null && ctx.topics.get(channel.topic)?.channel) || channel;
}

async function onHello(ctx: HandlerContext, conn: Connection, hello: Hello): Promise<void> {
  conn.helloState = 'pending';
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    conn.error(
      ErrorCode.UNSUPPORTED_VERSION,
      `protocol version ${hello.protocolVersion} is not supported; this edge speaks ${PROTOCOL_VERSION}`,
    );
    conn.close(CloseCode.UNSUPPORTED_VERSION, 'unsupported version');
    return;
  }
  let principal: Awaited<ReturnType<Authenticator['authenticate']>>;
  try {
    principal = await ctx.auth.authenticate(hello.token);
  } catch (err) {
    return authFailed(conn, err);
  }
  if (conn.closed) return;
  conn.subject = principal.subject;
  conn.acl = principal.acl;
  conn.expiresAtMs = principal.expiresAtMs;
  const log = conn.log;

  if (!hello.sessionId) {
    const id = newSessionId((n) => randomBytes(n));
    let created: Awaited<ReturnType<SessionStore['create']>>;
    try {
      created = await ctx.store.create(id, principal.subject, ctx.nodeId, ctx.sessionQuota);
    } catch (err) {
      return storeFailed(conn, err);
    }
    if (created.kind === 'rate-limited') {
      conn.error(
        ErrorCode.RATE_LIMITED,
        `more than ${ctx.sessionQuota.perSecond} new sessions per second for this subject`,
        { retriable: true },
      );
      conn.close(CloseCode.RATE_LIMITED, 'session rate limited');
      return;
    }
    conn.sessionId = id;
    conn.epoch = created.epoch;
    ctx.owners.own(conn);
    if (conn.closed) return ctx.owners.closed(conn);
    conn.helloState = 'done';
    conn.log.info(
      {
        subject: boundedForLog(principal.subject),
        client: boundedForLog(hello.clientName),
        version: boundedForLog(hello.clientVersion),
        evicted: created.evicted,
      },
      'session created',
    );
    ctx.onSession?.('created');
    welcome(ctx, conn, false, []);
    return;
  }

  if (!isWellFormedSessionId(hello.sessionId)) {
    conn.error(ErrorCode.SESSION_NOT_FOUND, 'session not found');
    conn.close(CloseCode.SESSION_NOT_FOUND, 'session not found');
    return;
  }
  // The subject is checked before the session is touched; a session of
  // another subject answers exactly like a missing one.
  const notFound = () => {
    conn.error(ErrorCode.SESSION_NOT_FOUND, 'session not found or expired');
    conn.close(CloseCode.SESSION_NOT_FOUND, 'session not found');
  };
  let claimed: Awaited<ReturnType<SessionStore['claim']>>;
  try {
    const holder = await ctx.owners.takeOver(hello.sessionId, principal.subject);
    claimed = holder && (await ctx.store.claim(hello.sessionId, principal.subject, ctx.nodeId));
  } catch (err) {
    return storeFailed(conn, err);
  }
  if (!claimed) {
    log.info({ subject: boundedForLog(principal.subject) }, 'resume of an unknown session refused');
    return notFound();
  }
  const stored = claimed.session;
  conn.sessionId = stored.id;
  conn.epoch = claimed.epoch;
  ctx.owners.own(conn);
  if (conn.closed) return ctx.owners.closed(conn);
  conn.helloState = 'done';
  const delivered = new Map<string, Map<number, number>>();
  for (const d of hello.delivered)
    delivered.set(d.channel, new Map(d.positions.map((p) => [p.partition, p.offset])));

  const restored: Subscription[] = [];
  const lostOnRestore: Array<{ channel: string; partition: number; requested: number; available: number }> =
    [];
  // The store holds at most the limit; older sessions could hold more.
  const kept = [...stored.subscriptions].slice(0, ctx.limits.maxSubscriptions);
  for (const [name, acked] of kept) {
    const parsed = parseChannel(name, { maxLength: ctx.limits.maxChannelBytes });
    const partitions = parsed.ok ? channelPartitions(ctx, parsed.channel) : undefined;
    if (!parsed.ok || !partitions) {
      conn.error(ErrorCode.UNKNOWN_TOPIC, `restored channel ${name} is not served here`, { channel: name });
      continue;
    }
    if (!conn.acl?.allows(parsed.channel)) {
      conn.error(ErrorCode.FORBIDDEN, `restored channel ${name} is no longer allowed`, { channel: name });
      ctx.store.unsubscribe(stored.id, conn.epoch, name).catch(() => undefined);
      continue;
    }
    const topic = ctx.topics.get(parsed.channel.topic);
    const fromClient = delivered.get(name);
    const positions = new Map<number, number>();
    const sent = new Map<number, number>();
    let claims: Map<number, number> | undefined;
    const storedTopicId = stored.topicIds.get(name);
    const recreated = !!storedTopicId && !!topic?.id && storedTopicId !== topic.id;
    for (const p of partitions) {
      const ps = topic?.partitions.get(p);
      const logStart = ps?.logStart ?? 0;
      // Replay from the later of (stored ack, client-delivered) + 1. A
      // partition the session has no position for was added after it
      // subscribed: every record on it is after the subscription.
      const storedAck = acked.get(p) ?? logStart - 1;
      const resumeAfter = Math.max(storedAck, fromClient?.get(p) ?? -1);
      if (recreated) {
        lostOnRestore.push({ channel: name, partition: p, requested: resumeAfter + 1, available: logStart });
        positions.set(p, logStart - 1);
        sent.set(p, logStart - 1);
      } else {
        positions.set(p, resumeAfter);
        // Acks are accepted up to what was stored; what the client only
        // claims (delivered) once the log is known to reach it.
        sent.set(p, storedAck);
        if (resumeAfter > storedAck) (claims ??= new Map()).set(p, resumeAfter);
      }
    }
    if (recreated) {
      conn.log.warn(
        { channel: name, stored_topic_id: storedTopicId, topic_id: topic?.id },
        'topic recreated since the session acked',
      );
      ctx.store
        .subscribe(stored.id, conn.epoch, name, new Map(positions), ctx.limits.maxSubscriptions, topic?.id)
        .catch(() => undefined);
    }
    restored.push({
      channel: sharedChannel(ctx, parsed.channel),
      partitions,
      positions,
      sent,
      claims,
      state: 'replaying',
      cancelled: false,
      announce: { requestId: 0, resumed: true },
      catchingUp: false,
    });
  }
  conn.log.info(
    {
      subject: boundedForLog(principal.subject),
      client: boundedForLog(hello.clientName),
      version: boundedForLog(hello.clientVersion),
      subscriptions: restored.length,
      epoch: conn.epoch,
    },
    'session resumed',
  );
  ctx.onSession?.('resumed');
  welcome(
    ctx,
    conn,
    true,
    restored.map((s) => ({
      channel: s.channel.name,
      positions: [...s.positions].map(([partition, offset]) => ({ partition, offset })),
    })),
  );
  for (const l of lostOnRestore)
    conn.send({
      kind: 'continuityLost',
      continuityLost: {
        channel: l.channel,
        partition: l.partition,
        requestedOffset: l.requested,
        availableOffset: l.available,
        reason: ContinuityReason.TOPIC_RECREATED,
      },
    });
  for (const sub of restored) {
    conn.subs.set(sub.channel.name, sub);
    void bringLive(ctx, conn, sub);
  }
}

function welcome(
  ctx: HandlerContext,
  conn: Connection,
  resumed: boolean,
  subscriptions: Array<{ channel: string; positions: Array<{ partition: number; offset: number }> }>,
): void {
  conn.send({
    kind: 'welcome',
    welcome: {
      sessionId: conn.sessionId,
      resumed,
      subscriptions,
      heartbeatIntervalMs: ctx.heartbeatIntervalMs,
      maxFrameBytes: ctx.limits.maxFrameBytes,
      nodeId: ctx.nodeId,
    },
  });
}

async function onSubscribe(ctx: HandlerContext, conn: Connection, s: Subscribe): Promise<void> {
  const requestId = s.requestId;
  const fail = (code: (typeof ErrorCode)[keyof typeof ErrorCode], message: string, retriable = false) =>
    conn.error(code, message, { requestId, channel: s.channel, retriable });
  if (requestId === 0) return fail(ErrorCode.MALFORMED_FRAME, 'Subscribe.request_id must be non-zero');
  const parsed = parseChannel(s.channel, { maxLength: ctx.limits.maxChannelBytes });
  if (!parsed.ok) return fail(ErrorCode.INVALID_CHANNEL, parsed.reason);
  const channel = sharedChannel(ctx, parsed.channel);
  const topic = ctx.topics.get(channel.topic);
  const partitions = channelPartitions(ctx, channel);
  if (!topic || !partitions) {
    if (ctx.wouldServe(channel.topic))
      return fail(ErrorCode.UNKNOWN_TOPIC, `topic ${channel.topic} does not exist yet; retry later`, true);
    return fail(ErrorCode.UNKNOWN_TOPIC, `topic ${channel.topic} is not served`);
  }
  if (!conn.acl?.allows(channel))
    return fail(ErrorCode.FORBIDDEN, `not allowed to subscribe to ${channel.name}`);
  if (conn.subs.has(channel.name))
    return fail(ErrorCode.ALREADY_SUBSCRIBED, `already subscribed to ${channel.name}`);
  if (conn.subs.size >= ctx.limits.maxSubscriptions)
    return fail(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `at most ${ctx.limits.maxSubscriptions} subscriptions`);

  const positions = new Map<number, number>();
  for (const p of partitions) positions.set(p, topic.partitions.get(p)?.live ?? -1);
  let claims: Map<number, number> | undefined;
  if (s.start === Start.AFTER) {
    for (const pos of s.after) {
      if (!partitions.includes(pos.partition))
        return fail(
          ErrorCode.INVALID_POSITION,
          `partition ${pos.partition} is not a partition of ${channel.name}`,
        );
      positions.set(pos.partition, pos.offset);
      (claims ??= new Map()).set(pos.partition, pos.offset);
    }
  }
  // Registered before any await (pending), so an Unsubscribe meanwhile finds and cancels it.
  const sub: Subscription = {
    channel,
    partitions,
    positions,
    sent: new Map(),
    claims,
    state: 'pending',
    cancelled: false,
    announce: { requestId, resumed: s.start === Start.AFTER },
    catchingUp: false,
  };
  conn.subs.set(channel.name, sub);
  const abandon = () => {
    if (conn.subs.get(channel.name) === sub) conn.subs.delete(channel.name);
    sub.cancelled = true;
  };
  if (s.start === Start.EARLIEST || s.start === Start.TIMESTAMP) {
    try {
      if (s.start === Start.TIMESTAMP) {
        // Positions are "last processed": one before the first record to send.
        for (const o of await topic.offsetsForTimestamp(s.timestampMs))
          if (positions.has(o.partition)) positions.set(o.partition, o.offset - 1);
      } else {
        const bounds = await topic.freshBounds();
        for (const b of bounds) if (positions.has(b.partition)) positions.set(b.partition, b.logStart - 1);
      }
    } catch (err) {
      if (sub.cancelled) return;
      abandon();
      conn.log.warn({ err }, 'cannot read topic bounds');
      return fail(ErrorCode.SOURCE_UNAVAILABLE, 'Kafka unavailable, retry later', true);
    }
  }
  if (conn.closed || sub.cancelled) return;
  // Positions the edge chose itself may be acked; claimed ones once verified.
  for (const [p, offset] of positions) if (!claims?.has(p)) sub.sent.set(p, offset);
  let outcome: Awaited<ReturnType<SessionStore['subscribe']>>;
  try {
    outcome = await ctx.store.subscribe(
      conn.sessionId,
      conn.epoch,
      channel.name,
      positions,
      ctx.limits.maxSubscriptions,
      topic.id,
    );
  } catch (err) {
    if (sub.cancelled) return;
    abandon();
    conn.log.warn({ err }, 'cannot store subscription');
    return fail(ErrorCode.STORE_UNAVAILABLE, 'session store unavailable, retry later', true);
  }
  if (outcome === 'ok' && sub.cancelled) {
    // Unsubscribed while the store wrote it: remove it again (after our write).
    ctx.store.unsubscribe(conn.sessionId, conn.epoch, channel.name).catch(() => undefined);
    return;
  }
  if (outcome !== 'ok') {
    if (sub.cancelled) return;
    abandon();
    if (outcome === 'full')
      return fail(
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `the session holds at most ${ctx.limits.maxSubscriptions} subscriptions`,
      );
    ctx.owners.refused(new Map([[ownerKey(conn.sessionId, conn.epoch), outcome]]));
    return;
  }
  if (conn.closed) return;
  sub.state = 'replaying';
  await bringLive(ctx, conn, sub);
}

async function onUnsubscribe(ctx: HandlerContext, conn: Connection, u: Unsubscribe): Promise<void> {
  const sub = conn.subs.get(u.channel);
  if (!sub) {
    conn.error(ErrorCode.NOT_SUBSCRIBED, `not subscribed to ${u.channel}`, {
      requestId: u.requestId,
      channel: u.channel,
    });
    return;
  }
  sub.cancelled = true;
  conn.subs.delete(u.channel);
  if (sub.state === 'live') ctx.updateLiveTopics(conn);
  conn.send({ kind: 'unsubscribed', unsubscribed: { requestId: u.requestId, channel: u.channel } });
  await ctx.store.unsubscribe(conn.sessionId, conn.epoch, u.channel).catch((err: unknown) => {
    conn.log.warn({ err, channel: u.channel }, 'cannot remove subscription from the store');
  });
}

function onAck(ctx: HandlerContext, conn: Connection, ack: Ack): void {
  // Taken over: the store would refuse them anyway.
  if (conn.fenced) return;
  const sub = conn.subs.get(ack.channel);
  if (!sub) {
    conn.error(ErrorCode.NOT_SUBSCRIBED, `ack for ${ack.channel}, which is not subscribed`, {
      channel: ack.channel,
    });
    return;
  }
  const topic = ctx.topics.get(sub.channel.topic);
  for (const pos of ack.positions) {
    if (!sub.partitions.includes(pos.partition)) {
      conn.error(
        ErrorCode.INVALID_POSITION,
        `partition ${pos.partition} is not a partition of ${ack.channel}`,
        { channel: ack.channel },
      );
      return;
    }
    // What was handed to the socket frame by frame, never a position only claimed.
    const sent = ackLimit(
      { sent: sub.sent, live: sub.state === 'live' },
      pos.partition,
      topic?.partitions.get(pos.partition)?.live ?? -1,
    );
    if (pos.offset > sent) {
      conn.error(
        ErrorCode.ACK_BEYOND_DELIVERED,
        `ack of ${pos.offset} beyond ${sent}, the last offset sent`,
        { channel: ack.channel },
      );
      return;
    }
  }
  const owner = ownerKey(conn.sessionId, conn.epoch);
  for (const pos of ack.positions)
    if (pos.offset >= 0) ctx.acks.add(owner, ack.channel, pos.partition, pos.offset);
}

async function onRefresh(ctx: HandlerContext, conn: Connection, token: string): Promise<void> {
  let principal: Awaited<ReturnType<Authenticator['authenticate']>>;
  try {
    principal = await ctx.auth.authenticate(token);
  } catch (err) {
    return authFailed(conn, err);
  }
  if (conn.closed) return;
  if (principal.subject !== conn.subject) {
    conn.error(ErrorCode.SUBJECT_MISMATCH, 'the new token names another subject');
    conn.close(CloseCode.UNAUTHENTICATED, 'subject mismatch');
    return;
  }
  conn.acl = principal.acl;
  conn.expiresAtMs = principal.expiresAtMs;
  // Subscriptions the new token no longer allows end now.
  for (const [name, sub] of [...conn.subs]) {
    if (principal.acl.allows(sub.channel)) continue;
    sub.cancelled = true;
    conn.subs.delete(name);
    conn.error(ErrorCode.FORBIDDEN, `${name} is no longer allowed by the refreshed token`, { channel: name });
    ctx.store.unsubscribe(conn.sessionId, conn.epoch, name).catch(() => undefined);
  }
  ctx.updateLiveTopics(conn);
}
