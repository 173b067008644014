import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requirePrograms } from '@fanout/testing';

const run = promisify(execFile);

/** A record as `kcat -C` (librdkafka, read_committed) printed it: the reference a test compares the edge's frames with. */
export interface KcatRecord {
  partition: number;
  offset: number;
  timestampMs: number;
  key: string | null;
  value: string;
  /** `key=value,...` as kcat prints them, in record order. */
  headers: string;
}

function need(): void {
  requirePrograms('The kcat tests', [{ command: 'kcat', debianPackage: 'kcat' }], '', process.env.PATH);
}

/**
 * Produces lines with kcat (librdkafka: its default partitioner hashes keys
 * with CRC32, unlike kafkajs/Java's murmur2). `key:value` lines are keyed,
 * lines without `:` unkeyed.
 */
export async function kcatProduce(
  brokers: string[],
  topic: string,
  lines: string[],
  options: { codec?: string; headers?: string[]; extra?: string[] } = {},
): Promise<void> {
  need();
  const args = ['-P', '-b', brokers.join(','), '-t', topic, '-K:', '-z', options.codec ?? 'none'];
  for (const h of options.headers ?? []) args.push('-H', h);
  args.push(...(options.extra ?? []));
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', args, (err, _out, stderr) =>
      err ? reject(new Error(`kcat -P failed: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(`${lines.join('\n')}\n`);
  });
}

/** Every record of a topic, read by kcat from the beginning to the end. */
export async function kcatConsume(
  brokers: string[],
  topic: string,
  extra: string[] = [],
): Promise<KcatRecord[]> {
  need();
  const { stdout } = await run(
    'kcat',
    [
      '-C',
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%p\t%o\t%T\t%K\t%k\t%s\t%h\n',
      ...extra,
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, o, t, klen, k, v, h] = l.split('\t');
      return {
        partition: Number(p),
        offset: Number(o),
        timestampMs: Number(t),
        key: klen === '-1' ? null : (k ?? ''),
        value: v ?? '',
        headers: h ?? '',
      };
    });
}
