import { read } from './support';

const METRICS = [
  'http_request_duration_seconds',
  'callback_intents_created_total',
  'dispatch_lateness_seconds',
  'dispatch_attempts_total',
  'vendor_responses_total',
  'queue_jobs',
  'rate_limit_waits_total',
  'reconciler_repairs_total',
  'webhook_deliveries_total',
];
const HISTOGRAMS = ['http_request_duration_seconds', 'dispatch_lateness_seconds'];

describe('Grafana dashboard', () => {
  const text = read('docs/grafana-dashboard.json');
  const dash = JSON.parse(text);
  const targets = dash.panels.flatMap((p: any) => p.targets ?? []);
  const exprs: string[] = targets.map((t: any) => t.expr);

  it('is byte-identical to the copy the helm chart ships', () => {
    expect(read('helm/callback-orchestrator/dashboards/callback-orchestrator.json')).toBe(text);
  });

  it('is an importable dashboard with a stable uid and a Prometheus data source variable', () => {
    expect(dash).toMatchObject({ uid: 'callback-orchestrator', id: null, title: expect.any(String) });
    expect(dash.schemaVersion).toBeGreaterThanOrEqual(30);
    const vars = Object.fromEntries(dash.templating.list.map((v: any) => [v.name, v]));
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.account.definition).toContain('label_values(queue_jobs, account)');
    for (const p of dash.panels) expect(p.datasource.uid).toBe('${datasource}');
  });

  it('charts every metric the service exports, and no others', () => {
    for (const m of METRICS) expect([m, exprs.some((e) => e.includes(m))]).toEqual([m, true]);
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b([a-z_]+(?:_total|_seconds(?:_bucket|_count|_sum)?|_jobs))\b/g)].map((x) => x[1])),
    );
    for (const name of used) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect([name, METRICS.includes(base)]).toEqual([name, true]);
    }
  });

  it('uses histogram buckets for quantiles and rate() over counters', () => {
    for (const e of exprs.filter((x) => x.includes('histogram_quantile'))) {
      expect(e).toMatch(/sum by \(le\b[^)]*\) \(rate\((\w+)_bucket/);
      expect(HISTOGRAMS.some((h) => e.includes(`${h}_bucket`))).toBe(true);
    }
    for (const e of exprs.filter((x) => /_total\b/.test(x))) expect(e).toMatch(/\b(rate|increase)\(\w+_total/);
  });

  it('lays out panels with unique ids inside the 24-column grid', () => {
    const ids = dash.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.targets.length).toBeGreaterThan(0);
      p.targets.forEach((t: any) => expect(t.refId).toMatch(/^[A-Z]$/));
    }
  });
});
