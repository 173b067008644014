/**
 * The client side of the WebSocket wire, by hand and as cheap as possible:
 * the upgrade request, masked client frames built once, and a streaming
 * parser of server frame headers that counts publications without decoding
 * them. Only control frames (and sampled publications) are copied out.
 */

/**
 * The HTTP upgrade request; the accept key is not checked (loopback, our own
 * servers). `deflate` offers permessage-deflate (the server's frames may then
 * be compressed, RSV1 set; ours stay uncompressed, which the extension allows).
 */
export function upgradeRequest(host: string, port: number, deflate = false): Buffer {
  const ext = deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '';
  return Buffer.from(
    `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${ext}\r\n`,
  );
}

/** A masked binary client frame (mask key 0: payload bytes unchanged, valid per RFC 6455). */
export function clientFrame(payload: Uint8Array, opcode = 0x2): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  Buffer.from(payload).copy(out, head + 4);
  return out;
}

/** The first payload byte of a ServerFrame carrying a Publication (field 1, LEN). */
export const PUBLICATION_TAG = 0x0a;

/** What the parser hands back per complete frame. */
export interface FrameSink {
  /** A publication that was not copied (cheap path); `compressed`: it came deflated (RSV1). */
  publication(compressed: boolean): void;
  /**
   * A frame whose payload was copied: every control frame, and publications
   * `wantsPayload` chose. `compressed`: RSV1 set (permessage-deflate), the
   * payload is still deflated.
   */
  frame(opcode: number, payload: Buffer, compressed: boolean): void;
}

/**
 * Streaming parser of server → client frames (unmasked, never fragmented by
 * uWS). Per frame it reads the header, peeks at the first payload byte and
 * skips publications unless `wantsPayload()` says to copy this one.
 */
export class FrameParser {
  #head = Buffer.alloc(14);
  #headLen = 0;
  #remaining = 0;
  #opcode = 0;
  #decided = false;
  #copy: Buffer | null = null;
  #copied = 0;
  #inFrame = false;
  #rsv1 = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly wantsPayload: () => boolean,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (!this.#inFrame) {
        // Fast path: the whole header is in this chunk.
        let len: number;
        let hlen: number;
        let b0: number;
        if (this.#headLen === 0 && n - i >= 2) {
          b0 = chunk[i] as number;
          const b1 = (chunk[i + 1] as number) & 0x7f;
          if (b1 < 126) {
            len = b1;
            hlen = 2;
          } else if (b1 === 126) {
            if (n - i < 4) {
              this.#stash(chunk, i);
              return;
            }
            len = chunk.readUInt16BE(i + 2);
            hlen = 4;
          } else {
            if (n - i < 10) {
              this.#stash(chunk, i);
              return;
            }
            len = Number(chunk.readBigUInt64BE(i + 2));
            hlen = 10;
          }
          i += hlen;
        } else {
          // Slow path: assemble the header across chunks.
          while (i < n && this.#headLen < this.#headNeed())
            this.#head[this.#headLen++] = chunk[i++] as number;
          if (this.#headLen < this.#headNeed()) return;
          b0 = this.#head[0] as number;
          const b1 = (this.#head[1] as number) & 0x7f;
          len =
            b1 < 126 ? b1 : b1 === 126 ? this.#head.readUInt16BE(2) : Number(this.#head.readBigUInt64BE(2));
          this.#headLen = 0;
        }
        this.#opcode = b0 & 0x0f;
        this.#rsv1 = (b0 & 0x40) !== 0;
        this.#remaining = len;
        this.#decided = false;
        this.#copy = null;
        this.#copied = 0;
        this.#inFrame = true;
        if (len === 0) {
          this.#finish();
          continue;
        }
        if (i >= n) return;
      }
      if (!this.#decided) {
        this.#decided = true;
        // A compressed binary frame is a publication: the edge compresses
        // only frames of 128 bytes and more, which control frames are not.
        const isPub = this.#opcode === 2 && (this.#rsv1 || chunk[i] === PUBLICATION_TAG);
        if (!isPub || this.wantsPayload()) {
          this.#copy = Buffer.allocUnsafe(this.#remaining);
        }
      }
      const take = Math.min(this.#remaining, n - i);
      if (this.#copy) {
        chunk.copy(this.#copy, this.#copied, i, i + take);
        this.#copied += take;
      }
      i += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#finish();
    }
  }

  #headNeed(): number {
    if (this.#headLen < 2) return 2;
    const b1 = (this.#head[1] as number) & 0x7f;
    return b1 < 126 ? 2 : b1 === 126 ? 4 : 10;
  }

  #stash(chunk: Buffer, from: number): void {
    for (let j = from; j < chunk.length; j++) this.#head[this.#headLen++] = chunk[j] as number;
  }

  #finish(): void {
    this.#inFrame = false;
    const copy = this.#copy;
    this.#copy = null;
    if (copy) this.sink.frame(this.#opcode, copy, this.#rsv1);
    else if (this.#opcode === 2) this.sink.publication(this.#rsv1);
    else this.sink.frame(this.#opcode, Buffer.alloc(0), false);
  }
}

function readVarint(b: Buffer, at: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    const byte = b[at++] as number;
    result += (byte & 0x7f) * mul;
    if (byte < 0x80) return [result, at];
    mul *= 128;
  }
}

/** The fields of a publication the benchmark looks at, read by hand (no protobuf decode). */
export interface PubFields {
  partition: number;
  offset: number;
  /** Byte range of the payload inside the frame. */
  payloadStart: number;
  payloadEnd: number;
}

/**
 * Reads partition, offset and the payload's range out of a ServerFrame
 * holding a Publication (fields 2, 3 and 7). Cross-checked against
 * `decodeServerFrame` on a sample by the load client.
 */
export function readPublication(frame: Buffer): PubFields {
  const [innerLen, start] = readVarint(frame, 1);
  let at = start;
  const end = at + innerLen;
  const out: PubFields = { partition: 0, offset: 0, payloadStart: 0, payloadEnd: 0 };
  while (at < end) {
    const tag = frame[at++] as number;
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      let v: number;
      [v, at] = readVarint(frame, at);
      if (field === 2) out.partition = v;
      else if (field === 3) out.offset = v;
    } else if (wire === 2) {
      let l: number;
      [l, at] = readVarint(frame, at);
      if (field === 7) {
        out.payloadStart = at;
        out.payloadEnd = at + l;
      }
      at += l;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else break;
  }
  return out;
}
