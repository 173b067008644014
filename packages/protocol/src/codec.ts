import { ErrorCode, Start } from './codes.js';
import { fanout } from './generated/fanout.js';
import { type DecodeResult, ProtocolError } from './protocol-error.js';
import type {
  ClientFrame,
  ClientFrameInput,
  Position,
  Publication,
  PublicationInput,
  ServerFrame,
  ServerFrameInput,
} from './types.js';

const pb = fanout.v1;

/** Encodes a client frame. */
export function encodeClientFrame(frame: ClientFrameInput): Uint8Array {
  return pb.ClientFrame.encode(frame as fanout.v1.IClientFrame).finish();
}

/** Encodes a server frame. For publications on the hot path use `encodePublication` + `publicationFrame`. */
export function encodeServerFrame(frame: ServerFrameInput): Uint8Array {
  return pb.ServerFrame.encode(frame as fanout.v1.IServerFrame).finish();
}

/**
 * Encodes the inner bytes of one Publication message (without the
 * ServerFrame envelope). The edge does this once per Kafka record, then wraps
 * the same bytes with `publicationFrame` for live and replayed delivery.
 */
export function encodePublication(publication: PublicationInput): Uint8Array {
  return pb.Publication.encode(publication as fanout.v1.IPublication).finish();
}

/**
 * Encodes one record's live frame (a ServerFrame carrying the Publication)
 * in a single pass, and returns with it a view of the Publication message
 * inside it (no copy), which `publicationFrame(publication, channel)` wraps
 * for replays. The edge's hot path: one encode and one allocation per record.
 */
export function encodeLivePublication(publication: PublicationInput): {
  frame: Uint8Array;
  publication: Uint8Array;
} {
  const frame = pb.ServerFrame.encode({ publication } as fanout.v1.IServerFrame).finish();
  // frame = tag 0x0a, varint length, the Publication bytes.
  let at = 1;
  while ((frame[at] as number) & 0x80) at++;
  return { frame, publication: frame.subarray(at + 1) };
}

const utf8 = new TextEncoder();

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

// ServerFrame.publication is field 1 (LEN): tag 0x0a. Publication.channel is
// field 8 (LEN): tag 0x42. Appending a field to an encoded message is valid
// protobuf, so a replayed frame reuses the record's bytes untouched.
const PUBLICATION_TAG = 0x0a;
const CHANNEL_TAG = 0x42;

/**
 * Wraps encoded Publication bytes into a ServerFrame. With `channel` (a
 * replayed publication) the channel field is appended without re-encoding.
 */
export function publicationFrame(publicationBytes: Uint8Array, channel?: string): Uint8Array {
  const channelBytes = channel ? utf8.encode(channel) : undefined;
  const extra = channelBytes ? 1 + varintLength(channelBytes.length) + channelBytes.length : 0;
  const innerLength = publicationBytes.length + extra;
  const out = new Uint8Array(1 + varintLength(innerLength) + innerLength);
  out[0] = PUBLICATION_TAG;
  let at = writeVarint(out, 1, innerLength);
  out.set(publicationBytes, at);
  at += publicationBytes.length;
  if (channelBytes) {
    out[at++] = CHANNEL_TAG;
    at = writeVarint(out, at, channelBytes.length);
    out.set(channelBytes, at);
  }
  return out;
}

function malformed(message: string, cause?: unknown): { ok: false; error: ProtocolError } {
  return { ok: false, error: new ProtocolError(ErrorCode.MALFORMED_FRAME, message, { cause }) };
}

function isOffset(n: number, min: number): boolean {
  return Number.isSafeInteger(n) && n >= min;
}

function badPositions(positions: readonly Position[]): string | null {
  for (const p of positions) {
    if (!Number.isInteger(p.partition) || p.partition < 0) return `negative partition ${p.partition}`;
    if (!isOffset(p.offset, -1)) return `offset ${p.offset} is not a safe integer >= -1`;
  }
  return null;
}

function badPublication(p: Publication): string | null {
  if (p.partition < 0) return `negative partition ${p.partition}`;
  if (!isOffset(p.offset, 0)) return `offset ${p.offset} is not a safe integer >= 0`;
  if (!Number.isSafeInteger(p.timestampMs)) return `timestamp ${p.timestampMs} is not a safe integer`;
  return null;
}

// proto3 enums are open: protobufjs keeps any number. The edge cannot honour
// a start it does not know, and the types promise a `StartValue`.
const START_VALUES: ReadonlySet<number> = new Set(Object.values(Start));

function badClientFrame(frame: ClientFrame): string | null {
  switch (frame.kind) {
    case 'hello':
      for (const d of frame.hello.delivered) {
        const bad = badPositions(d.positions);
        if (bad) return bad;
      }
      return null;
    case 'subscribe':
      if (!START_VALUES.has(frame.subscribe.start)) return `unknown start ${frame.subscribe.start}`;
      if (!isOffset(frame.subscribe.timestampMs, 0))
        return `timestamp ${frame.subscribe.timestampMs} is not a safe integer >= 0`;
      return badPositions(frame.subscribe.after);
    case 'ack':
      return badPositions(frame.ack.positions);
    default:
      return null;
  }
}

function badServerFrame(frame: ServerFrame): string | null {
  switch (frame.kind) {
    case 'publication':
      return badPublication(frame.publication);
    case 'welcome':
      for (const s of frame.welcome.subscriptions) {
        const bad = badPositions(s.positions);
        if (bad) return bad;
      }
      return null;
    case 'subscribed':
      return badPositions(frame.subscribed.positions);
    case 'continuityLost': {
      const c = frame.continuityLost;
      if (c.partition < 0) return `negative partition ${c.partition}`;
      if (!isOffset(c.requestedOffset, 0) || !isOffset(c.availableOffset, 0))
        return 'offset is not a safe integer';
      return null;
    }
    default:
      return null;
  }
}

/**
 * Decodes untrusted bytes into a client frame. Never throws: returns the frame
 * or a ProtocolError with MALFORMED_FRAME (bad bytes or values) or
 * UNKNOWN_FRAME (no known kind set). The frame is read-only.
 */
export function decodeClientFrame(bytes: Uint8Array): DecodeResult<ClientFrame> {
  let message: fanout.v1.ClientFrame;
  try {
    message = pb.ClientFrame.decode(bytes);
  } catch (err) {
    return malformed(`not a ClientFrame: ${(err as Error).message}`, err);
  }
  if (!message.kind) {
    return { ok: false, error: new ProtocolError(ErrorCode.UNKNOWN_FRAME, 'frame has no known kind') };
  }
  const frame = message as unknown as ClientFrame;
  const bad = badClientFrame(frame);
  return bad ? malformed(`invalid ${frame.kind} frame: ${bad}`) : { ok: true, frame };
}

/**
 * Decodes untrusted bytes into a server frame. Never throws (see
 * `decodeClientFrame`). The frame is read-only.
 */
export function decodeServerFrame(bytes: Uint8Array): DecodeResult<ServerFrame> {
  let message: fanout.v1.ServerFrame;
  try {
    message = pb.ServerFrame.decode(bytes);
  } catch (err) {
    return malformed(`not a ServerFrame: ${(err as Error).message}`, err);
  }
  if (!message.kind) {
    return { ok: false, error: new ProtocolError(ErrorCode.UNKNOWN_FRAME, 'frame has no known kind') };
  }
  const frame = message as unknown as ServerFrame;
  const bad = badServerFrame(frame);
  return bad ? malformed(`invalid ${frame.kind} frame: ${bad}`) : { ok: true, frame };
}
