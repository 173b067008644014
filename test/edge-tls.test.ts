import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { type WebSocketCtor, createClient } from '@fanout/client';
import { waitFor } from '@fanout/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { type EdgeProcess, jsonLogs, startEdgeProcess } from './support/edge-process.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, seqOf, tally } from './support/sdk-fixtures.js';
import { TestCa, type TestCert, replaceFile } from './support/tls-certs.js';

/** The serial number of the certificate the edge serves now (a fresh TLS handshake). */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial.replace(/^0+/, ''));
    });
    socket.once('error', reject);
  });
}

/** An SDK client over wss:// trusting `ca`, recording what it receives. */
function wssClient(url: string, channel: string, ca: string) {
  const attempts: string[] = [];
  class CaWebSocket extends WebSocket {
    constructor(u: string) {
      super(u, { ca });
      attempts.push(u);
    }
  }
  const client = createClient({
    endpoints: [url],
    storage: null,
    globalEvents: null,
    WebSocket: CaWebSocket as unknown as WebSocketCtor,
  });
  onTestFinished(() => client.close());
  const seqs: number[] = [];
  const connections: string[] = [];
  client.on('connected', (e) => connections.push(e.endpoint));
  client.subscribe(channel, { from: 'latest' }, (record) => {
    seqs.push(seqOf(new TextDecoder().decode(record.payload)));
  });
  return { client, seqs, attempts, connections };
}

const logged = (edge: EdgeProcess, msg: string) => jsonLogs(edge.logs()).filter((l) => l.msg === msg).length;

/** Live files the edge reads, in their own directory, initially a copy of `cert`. */
function liveFiles(ca: TestCa, cert: TestCert): { certFile: string; keyFile: string } {
  const live = { certFile: join(ca.dir, 'live-cert.pem'), keyFile: join(ca.dir, 'live-key.pem') };
  copyFileSync(cert.certFile, live.certFile);
  copyFileSync(cert.keyFile, live.keyFile);
  return live;
}

describe('TLS at the edge (uWS SSLApp)', () => {
  it('serves wss:// to the SDK with an encrypted key, reloads the certificate on SIGHUP under live connections, and keeps the old one when the new files are bad', async () => {
    const ca = TestCa.create('sighup');
    const passphrase = 'test-key-passphrase';
    const first = ca.issue('edge-first', { passphrase });
    const second = ca.issue('edge-second', { passphrase });
    const live = liveFiles(ca, first);
    const ticks = await TickProducer.create(2);
    const edge = await startEdgeProcess(
      sdkEdgeEnv(ticks.topic, {
        TLS_CERT_FILE: live.certFile,
        TLS_KEY_FILE: live.keyFile,
        TLS_KEY_PASSPHRASE: passphrase,
        TLS_WATCH: 'false',
      }),
    );
    const url = `wss://127.0.0.1:${edge.port}/`;
    expect(await servedSerial(edge.port, ca.pem)).toBe(first.serial);

    const c = wssClient(url, ticks.topic, ca.pem);
    await waitFor(() => c.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 15_000,
      description: 'subscribed over wss://',
    });
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 50, { timeoutMs: 15_000, description: '50 records over wss://' });

    // Reload under a live connection: new certificate for new handshakes, the
    // open connection stays and keeps receiving.
    replaceFile(second.certFile, live.certFile);
    replaceFile(second.keyFile, live.keyFile);
    process.kill(edge.pid, 'SIGHUP');
    await waitFor(() => logged(edge, 'TLS certificate reloaded; open connections kept') === 1, {
      timeoutMs: 10_000,
      description: 'reload logged',
    });
    expect(await servedSerial(edge.port, ca.pem)).toBe(second.serial);
    const after = wssClient(url, ticks.topic, ca.pem);
    await waitFor(() => after.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 15_000,
      description: 'a new client subscribed after the reload',
    });
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 100 && after.seqs.length >= 50, {
      timeoutMs: 15_000,
      description: 'records after the reload',
    });
    const t = tally(
      c.seqs,
      ticks.produced.map((x) => x.seq),
    );
    expect(exact(t), describeTally(t)).toBe(true);
    expect(c.attempts, 'the client never reconnected').toHaveLength(1);
    expect(c.connections).toHaveLength(1);

    // Broken files: the reload is refused, the served certificate stays.
    writeFileSync(live.certFile, 'not a certificate\n');
    process.kill(edge.pid, 'SIGHUP');
    await waitFor(
      () =>
        logged(
          edge,
          'TLS reload failed: the new files are not a usable certificate and key; keeping the old ones',
        ) === 1,
      { timeoutMs: 10_000, description: 'failed reload logged' },
    );
    expect(await servedSerial(edge.port, ca.pem)).toBe(second.serial);
    await ticks.produce(10);
    await waitFor(() => c.seqs.length >= 110, {
      timeoutMs: 15_000,
      description: 'records after a failed reload',
    });
    expect(c.attempts).toHaveLength(1);
    expect(edge.logs().join('\n')).not.toContain(passphrase);
    process.stderr.write(
      `[tls] wss:// SDK client: ${c.seqs.length} records, ${c.attempts.length} connection across a SIGHUP reload and a refused one (${describeTally(t)})\n`,
    );
    expect(await edge.stop()).toBe(0);
  });

  it('reloads when the files change, and verifies client certificates against TLS_CA_FILE', async () => {
    const ca = TestCa.create('watch');
    const other = TestCa.create('other', ca.dir);
    const first = ca.issue('edge-first');
    const second = ca.issue('edge-second');
    const goodClient = ca.issue('client-good', { client: true });
    const foreignClient = other.issue('client-foreign', { client: true });
    const live = liveFiles(ca, first);
    const ticks = await TickProducer.create(1);
    const edge = await startEdgeProcess(
      sdkEdgeEnv(ticks.topic, {
        TLS_CERT_FILE: live.certFile,
        TLS_KEY_FILE: live.keyFile,
        TLS_CA_FILE: ca.certFile,
      }),
    );
    const url = `wss://127.0.0.1:${edge.port}/`;
    const open = (opts: { cert?: TestCert }) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, {
          ca: ca.pem,
          ...(opts.cert
            ? {
                cert: readPem(opts.cert.certFile),
                key: readPem(opts.cert.keyFile),
              }
            : {}),
        });
        onTestFinished(() => ws.terminate());
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.once('close', (code) => reject(new Error(`closed ${code} before open`)));
      });
    const withCert = await open({ cert: goodClient });
    const withoutCert = await open({});
    await expect(open({ cert: foreignClient }), 'a certificate from another CA').rejects.toThrow();

    replaceFile(second.certFile, live.certFile);
    replaceFile(second.keyFile, live.keyFile);
    await waitFor(() => logged(edge, 'TLS certificate reloaded; open connections kept') >= 1, {
      timeoutMs: 10_000,
      description: 'reload on file change',
    });
    await waitFor(async () => (await servedSerial(edge.port, ca.pem)) === second.serial, {
      timeoutMs: 10_000,
      description: 'the new certificate served',
    });
    expect(withCert.readyState).toBe(WebSocket.OPEN);
    expect(withoutCert.readyState).toBe(WebSocket.OPEN);
    await open({ cert: goodClient });
  });
});

const readPem = (file: string) => readFileSync(file, 'utf8');
