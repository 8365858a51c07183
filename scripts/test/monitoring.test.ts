// docs/monitoring/ as an operator loads it: Prometheus accepts the alert rules, each alert fires on
// what it describes and not otherwise (promtool's rule unit tests), every dashboard query is valid
// PromQL, and every metric either names is one the server exports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServerMetrics } from '@keycloak-exapp/http-koa';

const ROOT = resolve(import.meta.dirname, '../..');
const MONITORING = join(ROOT, 'docs', 'monitoring');
const PROMTOOL = join(ROOT, '.cache', 'promtool', 'usr', 'bin', 'promtool');

interface Panel {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets: readonly { readonly refId: string; readonly expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as {
  readonly uid: string;
  readonly schemaVersion: number;
  readonly templating: { readonly list: readonly { readonly name: string }[] };
  readonly panels: readonly Panel[];
};
const alerts = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');

function promtool(...args: string[]): string {
  if (!existsSync(PROMTOOL))
    throw new Error(
      `no promtool at ${PROMTOOL}: run bash scripts/setup.sh --with-promtool (the test command does)`,
    );
  return execFileSync(PROMTOOL, args, { cwd: MONITORING, encoding: 'utf8' });
}

/** The series names a PromQL expression reads (identifiers before `{` or `[`, or alone). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const names = withoutStrings.match(/\b[a-z_:][a-z0-9_:]*(?=\s*[{[])/g) ?? [];
  return names.filter((n) => !['by', 'without', 'on', 'ignoring'].includes(n));
}

/** Every series name the server exports, with a histogram's `_bucket`, `_sum` and `_count`. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = new ServerMetrics(() => ({ state: 'ready', restarts: 0 }));
  const names = new Set<string>(['up']); // Prometheus's own, per scrape target
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('the alert rules (docs/monitoring/alerts.yml)', () => {
  it('are valid Prometheus rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: 9 rules found/);
  });

  it('fire on what they describe and stay quiet otherwise (promtool test rules alerts.test.yml)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('read only metrics the server exports', async () => {
    const exported = await exportedSeries();
    const exprs = [...alerts.matchAll(/expr: (>\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!);
    expect(exprs.length).toBe(9);
    const unknown = exprs.flatMap(metricNames).filter((n) => !exported.has(n));
    expect(unknown).toEqual([]);
  });
});

describe('the Grafana dashboard (docs/monitoring/grafana-dashboard.json)', () => {
  it('is a dashboard Grafana imports: a uid, a schema version, a data-source variable, panels in the grid', () => {
    expect(dashboard.uid).toBe('keycloak-exapp');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance']);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(['stat', 'timeseries', 'table']).toContain(p.type);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
    }
  });

  it('asks only valid PromQL (each query checked by promtool as a recording rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    // Grafana's variables, as Grafana substitutes them before Prometheus sees the query.
    const concrete = (expr: string) =>
      expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$job', 'keycloak-exapp')
        .replaceAll('$instance', '.*');
    const rules = dashboard.panels.flatMap((p) =>
      p.targets.map(
        (t) => `      - record: panel_${p.id}_${t.refId}\n        expr: ${JSON.stringify(concrete(t.expr))}`,
      ),
    );
    writeFileSync(
      join(dir, 'dashboard.yml'),
      `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`,
    );
    expect(promtool('check', 'rules', join(dir, 'dashboard.yml'))).toMatch(
      new RegExp(`SUCCESS: ${rules.length} rules found`),
    );
  });

  it('reads only metrics the server exports', async () => {
    const exported = await exportedSeries();
    const unknown = dashboard.panels
      .flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)))
      .filter((n) => !exported.has(n));
    expect(unknown).toEqual([]);
  });
});
