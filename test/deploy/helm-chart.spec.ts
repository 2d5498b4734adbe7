import Ajv from 'ajv';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, hasPath, isPlainObject, read, readYaml, walk } from './support';

const chart = 'helm/callback-orchestrator';
const values = readYaml(chart, 'values.yaml');
const schema = JSON.parse(read(chart, 'values.schema.json'));
const templateFiles = readdirSync(join(CHART, 'templates')).sort();
const templates = Object.fromEntries(templateFiles.map((f) => [f, read(chart, 'templates', f)]));
const allTemplates = Object.values(templates).join('\n');

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);
const withValues = (patch: (v: any) => void) => {
  const v = structuredClone(values);
  patch(v);
  return validate(v);
};

/** Leaf value paths: recurse only where the schema declares properties. */
function leafPaths(val: Record<string, unknown>, sch: any, prefix = ''): string[] {
  return Object.entries(val).flatMap(([k, x]) => {
    const s = sch?.properties?.[k];
    const p = prefix ? `${prefix}.${k}` : k;
    return isPlainObject(x) && s?.properties && Object.keys(x).length ? leafPaths(x, s, p) : [p];
  });
}

describe('helm chart: metadata and YAML', () => {
  it('Chart.yaml is a v2 application chart named after its folder', () => {
    const c = readYaml(chart, 'Chart.yaml');
    expect(c).toMatchObject({ apiVersion: 'v2', name: 'callback-orchestrator', type: 'application' });
    expect(c.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof c.appVersion).toBe('string');
  });

  it('every non-template YAML file of the deploy tree parses', () => {
    const files = [
      'docker-compose.yml',
      ...walk('deploy'),
      ...walk(chart).filter((f) => !f.includes('/templates/')),
    ].filter((f) => /\.ya?ml$/.test(f));
    expect(files).toEqual(expect.arrayContaining([`${chart}/Chart.yaml`, `${chart}/values.yaml`]));
    for (const f of files) expect(() => parse(read(f), { merge: true, strict: true })).not.toThrow();
  });
});

describe('helm chart: values.schema.json', () => {
  it('values.yaml validates against the schema', () => {
    const ok = validate(values);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects an unknown top-level key', () => {
    expect(withValues((v) => (v.replicas = 3))).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'replicas' } });
  });

  it('rejects wrong types and unknown nested keys', () => {
    expect(withValues((v) => (v.api.replicaCount = 'two'))).toBe(false);
    expect(withValues((v) => (v.config.shutdownGraceSeconds = '25'))).toBe(false);
    expect(withValues((v) => (v.migrations = true))).toBe(false);
    expect(withValues((v) => (v.worker.concurrency = 5))).toBe(false);
    expect(withValues((v) => (v.accounts = [{ id: 'x', vendor: 'genesys' }]))).toBe(false);
    expect(withValues((v) => (v.database.url = 'mysql://x'))).toBe(false);
  });

  it('accepts realistic overrides', () => {
    expect(
      withValues((v) => {
        v.redis.queuePrefix = '{cbo}';
        v.existingSecret = 'callbacks-env';
        v.vendorSecrets = { ZENDESK_MAIN_TOKEN: 'x' };
        v.accounts = [{ id: 'zendesk-main', vendor: 'zendesk', zendesk: { apiTokenEnv: 'ZENDESK_MAIN_TOKEN' } }];
        v.worker.keda.enabled = true;
        v.api.pdb.maxUnavailable = '50%';
      }),
    ).toBe(true);
  });

  it('closes every declared object, so each value has a schema entry', () => {
    const open: string[] = [];
    const visit = (s: any, p: string) => {
      if (s?.properties) {
        if (s.additionalProperties !== false) open.push(p || '(root)');
        for (const [k, sub] of Object.entries(s.properties)) visit(sub, p ? `${p}.${k}` : k);
      }
    };
    visit(schema, '');
    expect(open).toEqual([]);
  });

  it('declares nothing that values.yaml lacks', () => {
    const missing: string[] = [];
    const visit = (s: any, path: string[]) => {
      for (const [k, sub] of Object.entries<any>(s.properties ?? {})) {
        const p = [...path, k];
        if (k === 'global' && path.length === 0) continue; // reserved for parent charts
        if (!hasPath(values, p)) missing.push(p.join('.'));
        else if (sub.properties) visit(sub, p);
      }
    };
    visit(schema, []);
    expect(missing).toEqual([]);
  });
});

describe('helm chart: templates', () => {
  it('has the expected templates', () => {
    expect(templateFiles).toEqual(
      expect.arrayContaining([
        '_helpers.tpl', 'NOTES.txt', 'configmap.yaml', 'secret.yaml', 'deployment-api.yaml',
        'deployment-worker.yaml', 'service.yaml', 'ingress.yaml', 'migrate-job.yaml', 'hpa.yaml',
        'keda-scaledobject.yaml', 'pdb.yaml', 'servicemonitor.yaml', 'networkpolicy.yaml',
        'grafana-dashboard.yaml', 'serviceaccount.yaml',
      ]),
    );
  });

  it('references only values that exist in values.yaml', () => {
    const refs = new Set<string>();
    for (const m of allTemplates.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) refs.add(m[1].slice(1));
    expect(refs.size).toBeGreaterThan(40);
    const missing = [...refs].filter((r) => !hasPath(values, r.split('.')));
    expect(missing).toEqual([]);
  });

  it('per-role references ($v.x) exist for both api and worker', () => {
    const refs = new Set<string>();
    for (const m of allTemplates.matchAll(/\$v((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) refs.add(m[1].slice(1));
    expect(refs.size).toBeGreaterThan(5);
    const apiOnly = new Set(['preStopSleepSeconds']); // read only when role is api
    for (const r of refs) {
      expect([r, hasPath(values.api, r.split('.'))]).toEqual([r, true]);
      if (!apiOnly.has(r)) expect([r, hasPath(values.worker, r.split('.'))]).toEqual([r, true]);
    }
    expect(templates['_helpers.tpl']).toContain('{{- if eq .role "api" }}{{ $preStop = int $v.preStopSleepSeconds }}');
  });

  it.each(templateFiles)('%s has balanced template blocks', (file) => {
    const stack: string[] = [];
    for (const m of templates[file].matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
      const action = m[1];
      if (action.startsWith('/*')) continue;
      const word = action.split(/\s+/)[0];
      if (['if', 'range', 'with', 'define', 'block'].includes(word)) stack.push(word);
      else if (word === 'end') expect(stack.pop()).toBeDefined();
      else if (word === 'else') expect(stack.length).toBeGreaterThan(0);
    }
    expect(stack).toEqual([]);
  });

  it('includes only named templates that _helpers.tpl defines', () => {
    const defined = new Set([...templates['_helpers.tpl'].matchAll(/define "([^"]+)"/g)].map((m) => m[1]));
    const used = new Set([...allTemplates.matchAll(/include "([^"]+)"/g)].map((m) => m[1]));
    expect([...used].filter((u) => !defined.has(u))).toEqual([]);
  });

  it('runs both roles from one image with ROLE set per Deployment', () => {
    expect(templates['deployment-api.yaml']).toContain('"role" "api"');
    expect(templates['deployment-worker.yaml']).toContain('"role" "worker"');
    const helpers = templates['_helpers.tpl'];
    expect(helpers).toMatch(/- name: ROLE\s+value: \{\{ \.role \| quote \}\}/);
    expect(helpers).toContain('image: {{ include "callback-orchestrator.image" $root }}');
  });

  it('probes the health routes', () => {
    const h = templates['_helpers.tpl'];
    expect(h).toMatch(/startupProbe:\s+httpGet: \{ path: \/health\/live, port: http \}/);
    expect(h).toMatch(/livenessProbe:\s+httpGet: \{ path: \/health\/live, port: http \}/);
    expect(h).toMatch(/readinessProbe:\s+httpGet: \{ path: \/health\/ready, port: http \}/);
  });

  it('is restrictive by default: non-root, read-only root fs, no escalation, /tmp emptyDir', () => {
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(values.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const uses = { '_helpers.tpl': '$root.Values', 'migrate-job.yaml': '.Values' } as const;
    for (const [f, v] of Object.entries(uses)) {
      expect(templates[f]).toContain(`toYaml ${v}.podSecurityContext`);
      expect(templates[f]).toContain(`toYaml ${v}.securityContext`);
      expect(templates[f]).toMatch(/- name: tmp\s+mountPath: \/tmp/);
      expect(templates[f]).toMatch(/- name: tmp\s+emptyDir: \{\}/);
    }
  });

  it('derives SHUTDOWN_GRACE_MS and terminationGracePeriodSeconds from one value', () => {
    const h = templates['_helpers.tpl'];
    expect(h).toContain('SHUTDOWN_GRACE_MS: {{ mul .Values.config.shutdownGraceSeconds 1000');
    expect(h).toContain('terminationGracePeriodSeconds: {{ add $root.Values.config.shutdownGraceSeconds $root.Values.config.terminationExtraSeconds $preStop }}');
    expect(values.config.shutdownGraceSeconds * 1000).toBe(25000);
    expect(values.config.shutdownGraceSeconds + values.config.terminationExtraSeconds).toBe(30);
  });

  it('migrates in a pre-install,pre-upgrade hook Job and turns MIGRATE_ON_BOOT off', () => {
    const job = templates['migrate-job.yaml'];
    expect(job).toContain('kind: Job');
    expect(job).toMatch(/kind: Job[\s\S]*helm\.sh\/hook: pre-install,pre-upgrade/);
    expect(job).toContain('args: ["node", "dist/main.js", "migrate"]');
    expect(job).toContain('restartPolicy: Never');
    // its Secret copy is created first (lower weight): hooks run before release resources exist
    expect(job).toMatch(/kind: Secret[\s\S]*hook-weight: "-5"[\s\S]*kind: Job[\s\S]*hook-weight: "0"/);
    expect(templates['_helpers.tpl']).toContain('MIGRATE_ON_BOOT: {{ not .Values.migrations.enabled');
  });

  it('loads credentials from the chart Secret or existingSecret via envFrom', () => {
    expect(templates['secret.yaml']).toMatch(/^\{\{- if not \.Values\.existingSecret \}\}/);
    expect(templates['_helpers.tpl']).toMatch(/secretRef:\s+name: \{\{ include "callback-orchestrator.secretName" \$root \}\}/);
    expect(templates['_helpers.tpl']).toContain('default (include "callback-orchestrator.fullname" .) .Values.existingSecret');
  });

  it('autoscales api and worker on CPU, with KEDA replacing the worker HPA', () => {
    const hpa = templates['hpa.yaml'];
    expect(hpa.match(/kind: HorizontalPodAutoscaler/g)).toHaveLength(2);
    expect(hpa).toContain('if and .Values.worker.autoscaling.enabled (not .Values.worker.keda.enabled)');
    expect(templates['keda-scaledobject.yaml']).toMatch(/kind: ScaledObject[\s\S]*type: prometheus/);
    expect(values.worker.keda.query).toContain('queue_jobs');
  });

  it('loads the Grafana dashboard with .Files.Get under the sidecar label', () => {
    const t = templates['grafana-dashboard.yaml'];
    expect(t).toContain('grafana_dashboard: "1"');
    const file = /\.Files\.Get "([^"]+)"/.exec(t)?.[1];
    expect(file).toBe('dashboards/callback-orchestrator.json');
    expect(() => JSON.parse(read(chart, file!))).not.toThrow();
  });
});

describe('helm chart: README', () => {
  it('documents every value in its values table', () => {
    const readme = read(chart, 'README.md');
    const rows = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    const paths = leafPaths(values, schema);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => !rows.has(p))).toEqual([]);
    expect([...rows].filter((r) => !paths.includes(r))).toEqual([]);
  });
});
