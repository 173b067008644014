import { type Socket, connect } from 'node:net';
import { partitionForKey } from '@fanout/core';
import { type KafkaConnection, toKafkajsConfig } from '@fanout/kafka-settings';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The key scenario's producer. With one connection per key every delivery
 * needs its own record, and kafkajs spends ~30 µs of CPU per record in the
 * benchmark process (measured: 14-30k records/s on this machine, the edge
 * >50 % idle), so the scenario measured the producer. This one encodes its
 * Kafka record batches ONCE (magic 2, uncompressed, every key of a partition
 * in turn, the same payload) and sends the same bytes again and again in
 * Produce requests (v3, acks=1): the broker assigns the offsets (the batch
 * CRC does not cover the base offset), so each send appends new records.
 * Keys land in the partition Kafka's default partitioner gives them, as the
 * edge expects of a `<topic>:<key>` channel.
 *
 * Plaintext only (a raw socket per partition leader); `available()` says
 * whether it can be used for a connection (else the scenario uses kafkajs).
 * Every key gets the same number of records; the closed loop counts what
 * `send` returns.
 */
interface Leader {
  socket: Socket;
  /** Per request slot j: one batch per partition this broker leads (chunk j of each partition's keys). */
  requests: Buffer[];
  next: number;
  pending: Array<() => void>;
  buf: Buffer;
  failed?: Error;
}

export class KeyProducer {
  #leaders: Leader[] = [];
  #correlation = 1;
  /** Records one request to every leader appends. */
  readonly recordsPerRequest: number;

  private constructor(recordsPerRequest: number) {
    this.recordsPerRequest = recordsPerRequest;
  }

  static available(kafka: KafkaConnection): boolean {
    return kafka.protocol === 'PLAINTEXT';
  }

  /**
   * Looks up the partition leaders, encodes the batches and connects. Each
   * partition's keys are split into the same number B of chunks (at most
   * `maxBatchRecords` records each; Kafka takes one batch per partition per
   * request): B requests per leader append every key exactly once.
   */
  static async open(
    kafka: KafkaConnection,
    topic: string,
    keys: string[],
    payload: Uint8Array,
    maxBatchRecords = 2000,
  ): Promise<KeyProducer> {
    const admin = new Kafka({ ...toKafkajsConfig(kafka), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const cluster = await admin.describeCluster();
      if (!meta) throw new Error(`no metadata for ${topic}`);
      const count = meta.partitions.length;
      const byPartition = new Map<number, Uint8Array[]>();
      const enc = new TextEncoder();
      for (const k of keys) {
        const kb = enc.encode(k);
        const p = partitionForKey(kb, count);
        const list = byPartition.get(p) ?? [];
        list.push(kb);
        byPartition.set(p, list);
      }
      const most = Math.max(...[...byPartition.values()].map((l) => l.length));
      const chunks = Math.max(1, Math.ceil(most / maxBatchRecords));
      const now = BigInt(Date.now());
      const topicBytes = Buffer.from(topic);
      const out = new KeyProducer(Math.ceil(keys.length / chunks));
      const byLeader = new Map<number, number[]>();
      for (const pm of meta.partitions) {
        const list = byLeader.get(pm.leader) ?? [];
        list.push(pm.partitionId);
        byLeader.set(pm.leader, list);
      }
      for (const [nodeId, partitions] of byLeader) {
        const b = cluster.brokers.find((x) => x.nodeId === nodeId);
        if (!b) throw new Error(`no broker ${nodeId}`);
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host: b.host, port: b.port }, () => resolve(s));
          s.once('error', reject);
        });
        socket.setNoDelay(true);
        const requests: Buffer[] = [];
        for (let j = 0; j < chunks; j++) {
          const entries: Buffer[] = [];
          for (const p of partitions) {
            const pkeys = byPartition.get(p) ?? [];
            const per = Math.ceil(pkeys.length / chunks);
            const slice = pkeys.slice(j * per, (j + 1) * per);
            if (slice.length > 0) entries.push(encodeBatch(p, slice, payload, now));
          }
          requests.push(produceBody(topicBytes, entries));
        }
        const leader: Leader = { socket, requests, next: 0, pending: [], buf: Buffer.alloc(0) };
        socket.on('data', (d: Buffer) => out.#onData(leader, d));
        socket.on('error', (err) => {
          leader.failed = err;
        });
        out.#leaders.push(leader);
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  /** Appends about `records` records (whole requests, to every leader); resolves with the records appended once acknowledged. */
  async send(records: number): Promise<number> {
    const n = Math.max(1, Math.round(records / this.recordsPerRequest));
    const waits: Array<Promise<void>> = [];
    for (const leader of this.#leaders) {
      if (leader.failed) throw leader.failed;
      for (let r = 0; r < n; r++) {
        const body = leader.requests[leader.next++ % leader.requests.length] as Buffer;
        waits.push(
          new Promise((resolve) => {
            leader.pending.push(resolve);
            leader.socket.write(this.#frame(body));
          }),
        );
      }
    }
    await Promise.all(waits);
    return n * this.recordsPerRequest;
  }

  /** Size, request header (Produce v3, a correlation id) and the pre-built body. */
  #frame(body: Buffer): Buffer {
    const clientId = 'fanout-bench-keys';
    const head = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    let o = head.writeInt32BE(head.length - 4 + body.length, 0);
    o = head.writeInt16BE(0, o); // Produce
    o = head.writeInt16BE(3, o); // v3
    o = head.writeInt32BE(this.#correlation++, o);
    o = head.writeInt16BE(clientId.length, o);
    head.write(clientId, o);
    return Buffer.concat([head, body]);
  }

  #onData(leader: Leader, d: Buffer): void {
    leader.buf = leader.buf.length === 0 ? d : Buffer.concat([leader.buf, d]);
    while (leader.buf.length >= 4) {
      const len = leader.buf.readInt32BE(0);
      if (leader.buf.length < 4 + len) return;
      const resp = leader.buf.subarray(4, 4 + len);
      leader.buf = leader.buf.subarray(4 + len);
      const error = produceError(resp);
      if (error !== 0) {
        leader.failed = new Error(`produce failed: Kafka error code ${error}`);
        leader.socket.destroy(leader.failed);
      }
      leader.pending.shift()?.();
    }
  }

  close(): void {
    for (const l of this.#leaders) l.socket.destroy();
  }
}

/** A Produce v3 body: no transactional id, acks=1, one topic and its partition entries. */
function produceBody(topic: Buffer, entries: Buffer[]): Buffer {
  const head = Buffer.alloc(2 + 2 + 4 + 4 + 2 + topic.length + 4);
  let o = head.writeInt16BE(-1, 0); // transactional id: null
  o = head.writeInt16BE(1, o); // acks
  o = head.writeInt32BE(30_000, o);
  o = head.writeInt32BE(1, o); // one topic
  o = head.writeInt16BE(topic.length, o);
  o += topic.copy(head, o);
  head.writeInt32BE(entries.length, o);
  return Buffer.concat([head, ...entries]);
}

/** The first non-zero partition error code of a Produce v3 response (0: all appended). */
function produceError(r: Buffer): number {
  let o = 4; // correlation id
  const topics = r.readInt32BE(o);
  o += 4;
  for (let t = 0; t < topics; t++) {
    o += 2 + r.readInt16BE(o);
    const partitions = r.readInt32BE(o);
    o += 4;
    for (let p = 0; p < partitions; p++) {
      const err = r.readInt16BE(o + 4);
      if (err !== 0) return err;
      o += 4 + 2 + 8 + 8;
    }
  }
  return 0;
}

/** One Produce partition entry: partition, then the record batch (magic 2) of `keys` in order. */
function encodeBatch(partition: number, keys: Uint8Array[], value: Uint8Array, timestampMs: bigint): Buffer {
  const records: Buffer[] = [];
  keys.forEach((key, i) => {
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      varint(0), // timestamp delta
      varint(i), // offset delta
      varint(key.length),
      key,
      varint(value.length),
      value,
      varint(0), // headers
    ]);
    records.push(varint(body.length), body);
  });
  const recs = Buffer.concat(records);
  // From attributes on (what the CRC covers).
  const tail = Buffer.alloc(2 + 4 + 8 + 8 + 8 + 2 + 4 + 4);
  let o = 0;
  o = tail.writeInt16BE(0, o); // attributes: no compression, CreateTime
  o = tail.writeInt32BE(keys.length - 1, o); // last offset delta
  o = tail.writeBigInt64BE(timestampMs, o);
  o = tail.writeBigInt64BE(timestampMs, o);
  o = tail.writeBigInt64BE(-1n, o); // producer id
  o = tail.writeInt16BE(-1, o); // producer epoch
  o = tail.writeInt32BE(-1, o); // base sequence
  tail.writeInt32BE(keys.length, o);
  const covered = Buffer.concat([tail, recs]);
  const head = Buffer.alloc(4 + 4 + 8 + 4 + 4 + 1 + 4);
  o = 0;
  o = head.writeInt32BE(partition, o);
  o = head.writeInt32BE(8 + 4 + 4 + 1 + 4 + covered.length, o); // records bytes
  o = head.writeBigInt64BE(0n, o); // base offset (the broker assigns it)
  o = head.writeInt32BE(4 + 1 + 4 + covered.length, o); // batch length
  o = head.writeInt32BE(-1, o); // partition leader epoch
  o = head.writeInt8(2, o); // magic
  head.writeUInt32BE(crc32c(covered), o);
  return Buffer.concat([head, covered]);
}

function varint(n: number): Buffer {
  let z = (n << 1) ^ (n >> 31); // zigzag
  const out: number[] = [];
  while ((z & ~0x7f) !== 0) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
  return Buffer.from(out);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = (CRC_TABLE[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
