import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/edge-process.js';
import { K8S_OPENAPI_MODULE, k8sSwaggerFile, writeKubeconformSchemas } from './support/k8s-schemas.js';

const CHART = join(repoRoot, 'deploy/helm/fanout');
const BIN = join(process.env.FANOUT_CACHE_DIR ?? join(homedir(), '.cache/fanout'), 'bin');
const KINDS = [
  'Deployment',
  'Service',
  'Ingress',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'ConfigMap',
  'ServiceAccount',
];
const INSTALL = 'bash scripts/install-go-tools.sh (run by .ci/run)';

function tool(name: string): string | undefined {
  const local = join(BIN, name);
  if (existsSync(local)) return local;
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}
const hasGo = spawnSync('go', ['version']).status === 0;
const helm = tool('helm');
const kubeconform = tool('kubeconform');
const swagger = k8sSwaggerFile();

// Only where Go itself is missing can the tools not be installed here: then
// say so and skip. With Go present, missing tools are a setup error.
const missingGo = !hasGo && (!helm || !kubeconform || !swagger);
if (missingGo)
  process.stderr.write(
    `[helm] SKIPPED: no Go toolchain to build helm and kubeconform from their Go modules (install Go 1.24+, then ${INSTALL})\n`,
  );

function run(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    cwd: repoRoot,
    ...(input !== undefined ? { input } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(missingGo)('Helm chart deploy/helm/fanout', () => {
  let schemas: string;
  beforeAll(() => {
    for (const [name, found] of [
      ['helm', helm],
      ['kubeconform', kubeconform],
      [`${K8S_OPENAPI_MODULE} (Kubernetes OpenAPI)`, swagger],
    ] as const)
      if (!found) throw new Error(`${name} not found in ${BIN} or PATH: run ${INSTALL}`);
    schemas = mkdtempSync(join(tmpdir(), 'fanout-k8s-schemas-'));
    writeKubeconformSchemas(swagger as string, schemas, KINDS);
    return () => rmSync(schemas, { recursive: true, force: true });
  });

  const template = (...args: string[]) => run(helm as string, ['template', 'fanout', CHART, ...args]);
  const validate = (manifests: string) =>
    run(
      kubeconform as string,
      [
        '-strict',
        '-summary',
        '-output',
        'text',
        '-schema-location',
        join(schemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
        // A CRD (Prometheus Operator): no schema in the Kubernetes OpenAPI; checked below by shape.
        '-skip',
        'ServiceMonitor',
        '-',
      ],
      manifests,
    );

  it('renders with every optional object on, and kubeconform validates it against the Kubernetes schemas', () => {
    const r = template('-f', join(CHART, 'ci/all-on-values.yaml'));
    expect(r.status, r.out).toBe(0);
    const kinds = [...r.out.matchAll(/^kind: (\S+)/gm)].map((m) => m[1]).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ].sort(),
    );
    const v = validate(r.out);
    expect(v.status, v.out).toBe(0);
    expect(v.out).toMatch(/Valid: 7, Invalid: 0, Errors: 0, Skipped: 1/);

    // The wiring the issue asks for.
    expect(r.out).toMatch(/readinessProbe:\s+httpGet:\s+path: \/readyz/);
    expect(r.out).toMatch(/livenessProbe:\s+httpGet:\s+path: \/healthz/);
    expect(r.out).toMatch(/preStop:[\s\S]*?command: \["sleep", "10"\]/);
    expect(r.out).toContain('terminationGracePeriodSeconds: 30');
    expect(r.out).toContain('nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"');
    expect(r.out).toMatch(/name: fanout_connections\s+target:\s+type: AverageValue\s+averageValue: "10000"/);
    expect(r.out).toContain('JWT_JWKS_URL: "https://idp.example.com/.well-known/jwks.json"');
    expect(r.out).toContain('TLS_CERT_FILE: /etc/fanout/tls/tls.crt');
    expect(r.out).toContain('KAFKA_BROKERS: "kafka-0.kafka:9092,kafka-1.kafka:9092"');
    const monitor = r.out.slice(r.out.indexOf('kind: ServiceMonitor'));
    expect(r.out).toMatch(/apiVersion: monitoring.coreos.com\/v1\s+kind: ServiceMonitor/);
    expect(monitor).toMatch(/endpoints:\s+- port: ws\s+path: \/metrics/);
    process.stderr.write(`[helm] all-on values: ${v.out.trim().split('\n').at(-1)}\n`);
  });

  it('with several workers per pod, probes and scrapes go to the supervisor (every worker, plain HTTP), not to one worker', () => {
    for (const workers of ['4', 'auto']) {
      const r = template('-f', join(CHART, 'ci/all-on-values.yaml'), '--set', `workers=${workers}`);
      expect(r.status, r.out).toBe(0);
      const v = validate(r.out);
      expect(v.status, v.out).toBe(0);
      expect(r.out).toContain(`EDGE_WORKERS: "${workers}"`);
      expect(r.out).toContain('EDGE_ADMIN_PORT: "8081"');
      expect(r.out).toMatch(/- name: admin\s+containerPort: 8081/);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
        expect(r.out, probe).toMatch(
          new RegExp(`${probe}:\\s+httpGet:\\s+path: /\\w+\\s+port: admin\\s+period`),
        );
      expect(r.out).toContain('prometheus.io/port: "8081"');
      expect(r.out).toMatch(/- name: admin\s+port: 8081\s+targetPort: admin/);
      const monitor = r.out.slice(r.out.indexOf('kind: ServiceMonitor'));
      expect(monitor).toMatch(/endpoints:\s+- port: admin\s+path: \/metrics/);
      expect(monitor).not.toContain('scheme: https');
    }
    // One worker (the default): the edge's own port, TLS as configured.
    const one = template('-f', join(CHART, 'ci/all-on-values.yaml'));
    expect(one.out).not.toContain('EDGE_WORKERS');
    expect(one.out).toMatch(/readinessProbe:\s+httpGet:\s+path: \/readyz\s+port: ws/);
  });

  it('renders the minimal values (defaults plus what is required) into valid objects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-helm-'));
    try {
      const values = join(dir, 'values.yaml');
      writeFileSync(
        values,
        'topics: [prices]\nkafka:\n  brokers: [kafka:9092]\nredis:\n  url: redis://redis:6379\njwt:\n  jwksUrl: https://idp/.well-known/jwks.json\n',
      );
      const r = template('-f', values);
      expect(r.status, r.out).toBe(0);
      const v = validate(r.out);
      expect(v.status, v.out).toBe(0);
      expect(v.out).toMatch(/Invalid: 0, Errors: 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses missing required values with a clear message', () => {
    const r = template();
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('kafka.brokers: list at least one host:port');
  });

  it('kubeconform with these schemas does catch a broken object (the check is not vacuous)', () => {
    const r = template('-f', join(CHART, 'ci/all-on-values.yaml'));
    const broken = r.out
      .replace('maxUnavailable: 1', 'maxUnavailable: 1\n  maxUnavailabel: 2')
      .replace(/replicas: \d+|minReplicas: 2/, 'minReplicas: "two"');
    const v = validate(broken);
    expect(v.status).not.toBe(0);
    expect(v.out).toMatch(/maxUnavailabel|additional properties/i);
    expect(v.out).toMatch(/minReplicas/);
  });

  it('values.yaml documents every value the README lists', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');
    const section = readme.slice(readme.indexOf('## Kubernetes'));
    const listed = [...section.matchAll(/^\| `([a-zA-Z.]+)` \|/gm)].map((m) => m[1] as string);
    expect(listed.length).toBeGreaterThan(10);
    for (const key of listed) expect(values, key).toContain(`${key.split('.').at(-1)}:`);
  });
});
