/**
 * Kafka's own latency floor: a plain consumer of the latency sweep's topic,
 * in a process of its own, reading the same timed records the edge serves.
 * It runs `kcat -C` (librdkafka: no consumer group, every partition assigned
 * from the log end, `fetch.min.bytes=1`, a 100 ms long poll, so a fetch
 * returns as soon as any partition has a record) and timestamps each line as
 * it arrives on kcat's unbuffered stdout. What it measures is producer →
 * broker → consumer: the part of the edge's latency no gateway can remove.
 * Driven by the benchmark over IPC; exits (and kills kcat) when its parent
 * is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { serveRpc } from './lib/children.js';

let kcat: ChildProcess | undefined;
let seen = 0;
const latencies: number[] = [];
const sentTimes: number[] = [];
const errors: string[] = [];

function stopKcat(): void {
  kcat?.kill('SIGKILL');
  kcat = undefined;
}
process.on('exit', stopKcat);

serveRpc({
  start(msg) {
    stopKcat();
    seen = 0;
    latencies.length = 0;
    sentTimes.length = 0;
    const args = [
      '-C',
      '-b',
      (msg.brokers as string[]).join(','),
      '-t',
      msg.topic as string,
      '-o',
      'end',
      '-u',
      '-q',
      '-f',
      '%s\\n',
      '-X',
      'fetch.min.bytes=1',
      '-X',
      'fetch.wait.max.ms=100',
      '-X',
      'fetch.error.backoff.ms=10',
    ];
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    kcat = child;
    child.on('error', (err) => errors.push(`kcat: ${err.message}`));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (errors.length < 10) errors.push(s.trim().slice(0, 200));
    });
    let partial = '';
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => {
      const now = performance.timeOrigin + performance.now();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        seen++;
        const sent = Number.parseFloat(line.slice(0, 24));
        if (Number.isFinite(sent) && line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
          latencies.push(now - sent);
          sentTimes.push(sent);
        }
      }
    });
    return null;
  },
  /** Records seen so far (every line, timed or not) and the latencies since the last call. */
  stats() {
    return { seen, latencies: latencies.splice(0), sent: sentTimes.splice(0), errors: errors.slice() };
  },
  stop() {
    stopKcat();
    return null;
  },
  info: () => ({ pid: process.pid, kcatPid: kcat?.pid ?? 0 }),
  exit() {
    stopKcat();
    setTimeout(() => process.exit(0), 10);
    return null;
  },
});
