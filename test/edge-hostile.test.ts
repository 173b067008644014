import { CloseCode, ErrorCode, PROTOCOL_VERSION, Start, encodeClientFrame } from '@fanout/protocol';
import { describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { connect, edgeEnv } from './support/fixtures.js';
import { TEST_JWT_SECRET, signToken } from './support/jwt.js';
import { TestKafka } from './support/kafka.js';
import { EdgeErrorFrame, type RawClient, isError } from './support/raw-client.js';

const MAX_FRAME_BYTES = 1024;

describe('hostile input', () => {
  it('answers each bad frame, channel, token or session with its documented code and keeps serving others', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        AUTH_MODE: 'jwt',
        JWT_HS256_SECRET: TEST_JWT_SECRET,
        MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      }),
    );
    const everything = await signToken({ sub: 'alice', channels: ['*'] });
    const onlyKeyA = await signToken({ sub: 'bob', channels: [`${topic}:a`] });

    // The bystander: must keep receiving whatever the others do.
    const bystander = await connect(edge.url, { name: 'bystander' });
    await bystander.hello({ token: everything });
    expect(isError(await bystander.subscribe(topic, Start.LATEST))).toBe(false);
    const stillServed = async (what: string) => {
      const before = bystander.subs.get(topic)?.received.length ?? 0;
      await kafka.produce(topic, 1, ['a']);
      await bystander.waitFor(
        () => (bystander.subs.get(topic)?.received.length ?? 0) > before,
        `the bystander to receive after ${what}`,
      );
    };
    const results: string[] = [];
    /** A fresh connection, after Hello unless `hello` is false. */
    const fresh = async (name: string, token = everything, hello = true): Promise<RawClient> => {
      const c = await connect(edge.url, { name });
      if (hello) await c.hello({ token });
      return c;
    };
    const expectClosed = async (c: RawClient, error: number, close: number) => {
      const { code } = await c.waitForClose(10_000);
      expect(
        c.errors.map((e) => e.code),
        `${c.name}: error`,
      ).toEqual([error]);
      expect(code, `${c.name}: close code`).toBe(close);
      results.push(`${c.name}: Error ${error}, close ${code}`);
      await stillServed(c.name);
    };
    const expectError = async (c: RawClient, error: number) => {
      await c.waitFor(() => c.errors.length > 0, `${c.name}: an Error`);
      expect(
        c.errors.map((e) => e.code),
        `${c.name}: error`,
      ).toEqual([error]);
      // The connection stays open and works: a ping is answered.
      c.send({ ping: {} });
      await c.waitFor(() => c.events.some((f) => f.kind === 'pong'), `${c.name}: pong after the error`);
      expect(c.close, `${c.name} stays open`).toBeUndefined();
      results.push(`${c.name}: Error ${error}, open`);
      await stillServed(c.name);
    };

    // --- frames ---
    let c = await fresh('malformed bytes');
    c.sendBytes(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    await expectClosed(c, ErrorCode.MALFORMED_FRAME, CloseCode.PROTOCOL_ERROR);

    c = await fresh('text message');
    c.sendText('{"hello":{}}');
    await expectClosed(c, ErrorCode.MALFORMED_FRAME, CloseCode.PROTOCOL_ERROR);

    c = await fresh('oversized frame');
    // Above MAX_FRAME_BYTES, within the transport's 2 × MAX_FRAME_BYTES.
    c.send({ subscribe: { requestId: 1, channel: 'x'.repeat(MAX_FRAME_BYTES * 1.5), start: Start.LATEST } });
    await expectClosed(c, ErrorCode.FRAME_TOO_LARGE, CloseCode.FRAME_TOO_LARGE);

    c = await fresh('huge frame (past the WebSocket limit)');
    c.sendBytes(new Uint8Array(8 * 1024 * 1024));
    const huge = await c.waitForClose(10_000);
    expect(huge.code).not.toBe(1000);
    results.push(`${c.name}: close ${huge.code}`);
    await stillServed(c.name);

    c = await fresh('unknown frame kind');
    c.sendBytes(new Uint8Array(0));
    await expectError(c, ErrorCode.UNKNOWN_FRAME);

    c = await fresh('subscribe before Hello', everything, false);
    c.send({ subscribe: { requestId: 1, channel: topic, start: Start.LATEST } });
    await expectClosed(c, ErrorCode.HELLO_REQUIRED, CloseCode.PROTOCOL_ERROR);

    c = await fresh('second Hello');
    c.send({ hello: { token: everything, protocolVersion: PROTOCOL_VERSION } });
    await expectClosed(c, ErrorCode.HELLO_REPEATED, CloseCode.PROTOCOL_ERROR);

    c = await fresh('unsupported protocol version', everything, false);
    c.send({ hello: { token: everything, protocolVersion: 99 } });
    await expectClosed(c, ErrorCode.UNSUPPORTED_VERSION, CloseCode.UNSUPPORTED_VERSION);

    // --- channels ---
    c = await fresh('unknown topic');
    const unknownTopic = await c.subscribe('no-such-topic-here', Start.LATEST);
    expect(isError(unknownTopic) && unknownTopic.code).toBe(ErrorCode.UNKNOWN_TOPIC);
    await expectError(c, ErrorCode.UNKNOWN_TOPIC);
    // …and the connection still subscribes to a served channel.
    expect(isError(await c.subscribe(topic, Start.LATEST))).toBe(false);

    c = await fresh('invalid channel');
    const invalid = await c.subscribe(`${topic}:`, Start.LATEST);
    expect(isError(invalid) && invalid.code).toBe(ErrorCode.INVALID_CHANNEL);
    await expectError(c, ErrorCode.INVALID_CHANNEL);

    c = await fresh('forbidden channel (token scope)', onlyKeyA);
    const forbidden = await c.subscribe(topic, Start.LATEST);
    expect(isError(forbidden) && forbidden.code).toBe(ErrorCode.FORBIDDEN);
    await expectError(c, ErrorCode.FORBIDDEN);
    expect(isError(await c.subscribe(`${topic}:a`, Start.LATEST)), 'the allowed channel').toBe(false);

    // --- acks ---
    c = await fresh('ack beyond delivered');
    const sub = await c.subscribe(topic, Start.LATEST);
    if (isError(sub)) throw new Error(sub.message);
    c.ack(
      topic,
      sub.positions.map((p) => ({ partition: p.partition, offset: p.offset + 1000 })),
    );
    await expectError(c, ErrorCode.ACK_BEYOND_DELIVERED);

    c = await fresh('ack for an unsubscribed channel');
    c.ack(`${topic}:zzz`, [{ partition: 0, offset: 0 }]);
    await expectError(c, ErrorCode.NOT_SUBSCRIBED);

    // --- tokens and sessions ---
    const forged = await signToken({
      sub: 'alice',
      channels: ['*'],
      secret: 'not-the-secret-0123456789abcdefghij',
    });
    c = await fresh('forged token', forged, false);
    await expect(c.hello({ token: forged })).rejects.toBeInstanceOf(EdgeErrorFrame);
    await expectClosed(c, ErrorCode.UNAUTHENTICATED, CloseCode.UNAUTHENTICATED);

    const expired = await signToken({ sub: 'alice', channels: ['*'], expiresInSeconds: -60 });
    c = await fresh('expired token', expired, false);
    await expect(c.hello({ token: expired })).rejects.toBeInstanceOf(EdgeErrorFrame);
    await expectClosed(c, ErrorCode.TOKEN_EXPIRED, CloseCode.TOKEN_EXPIRED);

    c = await fresh('no token', '', false);
    await expect(c.hello({})).rejects.toBeInstanceOf(EdgeErrorFrame);
    await expectClosed(c, ErrorCode.UNAUTHENTICATED, CloseCode.UNAUTHENTICATED);

    const alices = bystander.welcome?.sessionId as string;
    // Another subject's session reads exactly like an unknown one (and is not taken over).
    c = await fresh("another subject's session id", onlyKeyA, false);
    await expect(c.hello({ token: onlyKeyA, sessionId: alices })).rejects.toBeInstanceOf(EdgeErrorFrame);
    await expectClosed(c, ErrorCode.SESSION_NOT_FOUND, CloseCode.SESSION_NOT_FOUND);
    const foreign = { error: c.errors[0]?.message, close: c.close };

    c = await fresh('unknown session id', everything, false);
    await expect(c.hello({ token: everything, sessionId: 'A'.repeat(22) })).rejects.toBeInstanceOf(
      EdgeErrorFrame,
    );
    await expectClosed(c, ErrorCode.SESSION_NOT_FOUND, CloseCode.SESSION_NOT_FOUND);
    expect({ error: c.errors[0]?.message, close: c.close }).toEqual(foreign);
    expect(bystander.close, 'the owner of the session stays connected').toBeUndefined();

    expect(bystander.errors).toEqual([]);
    expect(bystander.violations).toEqual([]);
    console.log(`hostile input:\n  ${results.join('\n  ')}`);
  });
});
