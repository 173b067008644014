import { describe, expect, it } from 'vitest';
import { CLUSTER_BROKER_DEFAULTS, newClusterId, renderServerProperties } from '../src/kafka-config.js';

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

describe('renderServerProperties for a cluster node', () => {
  const voters = [
    { nodeId: 1, controllerPort: 41001 },
    { nodeId: 2, controllerPort: 41002 },
    { nodeId: 3, controllerPort: 41003 },
  ];

  it('names the node and every voter', () => {
    const props = parse(
      renderServerProperties(
        { ...layout, nodeId: 2, controllerPort: 41002, voters },
        CLUSTER_BROKER_DEFAULTS,
      ),
    );
    expect(props.get('node.id')).toBe('2');
    expect(props.get('controller.quorum.voters')).toBe(
      '1@127.0.0.1:41001,2@127.0.0.1:41002,3@127.0.0.1:41003',
    );
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:41002');
    expect(props.get('default.replication.factor')).toBe('3');
    expect(props.get('min.insync.replicas')).toBe('2');
    expect(props.get('offsets.topic.replication.factor')).toBe('3');
    expect(props.get('transaction.state.log.replication.factor')).toBe('3');
    expect(props.get('transaction.state.log.min.isr')).toBe('2');
  });
});

describe('renderServerProperties with a SASL_SSL listener', () => {
  const saslSsl = {
    port: 40003,
    keystoreFile: '/tmp/x/tls/server.p12',
    keystorePassword: 'ks-pass',
    truststoreFile: '/tmp/x/tls/ca.pem',
    clientAuth: 'requested' as const,
    plainUsers: { alice: 'alice-secret' },
  };

  it('adds the listener next to PLAINTEXT and CONTROLLER, which stay unauthenticated', () => {
    const props = parse(renderServerProperties({ ...layout, saslSsl }));
    expect(props.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002,SASL_SSL://127.0.0.1:40003',
    );
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001,SASL_SSL://127.0.0.1:40003');
    expect(props.get('listener.security.protocol.map')).toBe(
      'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    );
    expect(props.get('inter.broker.listener.name')).toBe('PLAINTEXT');
  });

  it('enables PLAIN and both SCRAMs on that listener only, with its keystore and client-certificate policy', () => {
    const props = parse(renderServerProperties({ ...layout, saslSsl }));
    const p = 'listener.name.sasl_ssl';
    expect(props.get(`${p}.sasl.enabled.mechanisms`)).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props.get(`${p}.plain.sasl.jaas.config`)).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
    );
    for (const m of ['scram-sha-256', 'scram-sha-512'])
      expect(props.get(`${p}.${m}.sasl.jaas.config`)).toBe(
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      );
    expect(props.get(`${p}.ssl.keystore.type`)).toBe('PKCS12');
    expect(props.get(`${p}.ssl.keystore.location`)).toBe('/tmp/x/tls/server.p12');
    expect(props.get(`${p}.ssl.keystore.password`)).toBe('ks-pass');
    expect(props.get(`${p}.ssl.truststore.type`)).toBe('PEM');
    expect(props.get(`${p}.ssl.truststore.location`)).toBe('/tmp/x/tls/ca.pem');
    expect(props.get(`${p}.ssl.client.auth`)).toBe('requested');
    expect(props.get('sasl.enabled.mechanisms')).toBeUndefined();
  });

  it('is left out without the option', () => {
    const props = parse(renderServerProperties(layout));
    expect([...props.keys()].filter((k) => k.includes('sasl') || k.includes('ssl'))).toEqual([]);
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
