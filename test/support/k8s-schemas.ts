import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the Kubernetes OpenAPI (v2) document comes from: the Go module
 * k8s.io/cli-runtime ships the API server's full swagger.json as a test
 * artifact (550 definitions, every built-in kind up to its Kubernetes
 * release). `.ci/run` fetches the module through the Go module proxy
 * (`go mod download`), as for helm and kubeconform.
 */
export const K8S_OPENAPI_MODULE = 'k8s.io/cli-runtime@v0.34.0';
const SWAGGER_PATH = 'artifacts/openapi/swagger.json';

/** The swagger.json of {@link K8S_OPENAPI_MODULE} in the Go module cache, or undefined when absent. */
export function k8sSwaggerFile(): string | undefined {
  let modcache: string;
  try {
    modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const [path, version] = K8S_OPENAPI_MODULE.split('@') as [string, string];
  // The module cache escapes upper-case letters (none here).
  const file = join(modcache, `${path}@${version}`, SWAGGER_PATH);
  return existsSync(file) ? file : undefined;
}

type Schema = Record<string, unknown>;

/** Schema fixes openapi2jsonschema makes too: int-or-string and quantities take numbers. */
function fix(name: string, def: Schema): Schema {
  if (def.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity')
    return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return def;
}

/** Strict: objects with declared properties accept no others (kubeconform's -strict needs this in the schema). */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema))
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)]))
        : strict(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function refsOf(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) refsOf(n, into);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node as Schema)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) into.add(v.slice(14));
      else refsOf(v, into);
    }
}

/**
 * Writes kubeconform schemas for `kinds` (e.g. `Deployment`) into `dir`,
 * named as kubeconform's default template wants
 * (`{{ .ResourceKind }}{{ .KindSuffix }}.json`: `deployment-apps-v1.json`,
 * `service-v1.json`): each the kind's definition with every definition it
 * references embedded, strict. Returns the files written.
 */
export function writeKubeconformSchemas(swaggerFile: string, dir: string, kinds: string[]): string[] {
  const swagger = JSON.parse(readFileSync(swaggerFile, 'utf8')) as { definitions: Record<string, Schema> };
  const defs = Object.fromEntries(Object.entries(swagger.definitions).map(([k, v]) => [k, fix(k, v)]));
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const gvks =
      (def['x-kubernetes-group-version-kind'] as Array<{ group: string; kind: string; version: string }>) ??
      [];
    for (const gvk of gvks) {
      if (!kinds.includes(gvk.kind)) continue;
      const needed = new Set<string>();
      const queue = [name];
      while (queue.length > 0) {
        const n = queue.pop() as string;
        if (needed.has(n)) continue;
        needed.add(n);
        const found = new Set<string>();
        refsOf(defs[n], found);
        for (const f of found) if (!needed.has(f)) queue.push(f);
      }
      const group = gvk.group === '' ? '' : `-${gvk.group.split('.')[0]}`;
      const file = join(dir, `${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`);
      const embedded = Object.fromEntries([...needed].map((n) => [n, strict(defs[n])]));
      writeFileSync(file, JSON.stringify({ ...(strict(def) as Schema), definitions: embedded }));
      written.push(file);
    }
  }
  return written;
}
