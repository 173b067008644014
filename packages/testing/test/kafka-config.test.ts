import { describe, expect, it } from 'vitest';
import { newClusterId, renderServerProperties } from '../src/kafka-config.js';

const layout = { port: 40001, controllerPort: 40002, dataDir: '/tmp/x/data' };

function parse(properties: string): Map<string, string> {
  return new Map(
    properties
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );
}

describe('renderServerProperties', () => {
  it('describes a single-node KRaft broker on loopback with fast-test settings', () => {
    const props = parse(renderServerProperties(layout));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:40002');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001');
    expect(props.get('log.dirs')).toBe('/tmp/x/data');
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
  });

  it('lets overrides replace defaults but never the listeners', () => {
    const props = parse(
      renderServerProperties(layout, {
        'num.partitions': 7,
        listeners: 'PLAINTEXT://0.0.0.0:1',
        'log.segment.bytes': 1024,
      }),
    );
    expect(props.get('num.partitions')).toBe('7');
    expect(props.get('log.segment.bytes')).toBe('1024');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002');
  });

  it('escapes backslashes and newlines in values', () => {
    const props = parse(renderServerProperties(layout, { 'x.y': 'a\\b\nc' }));
    expect(props.get('x.y')).toBe('a\\\\b\\nc');
  });
});

describe('newClusterId', () => {
  it('is 22 base64url chars', () => {
    for (let i = 0; i < 100; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('skips reserved ids and ids starting with a dash', () => {
    const candidates = [
      Buffer.alloc(16),
      Buffer.from([...Array(15).fill(0), 1]),
      Buffer.from([0xfb, ...Array(15).fill(7)]), // base64url '-' first
      Buffer.from(Array(16).fill(9)),
    ];
    let call = 0;
    const id = newClusterId(() => candidates[call++] as Buffer);
    expect(call).toBe(4);
    expect(id).toBe(Buffer.from(Array(16).fill(9)).toString('base64url'));
  });
});
