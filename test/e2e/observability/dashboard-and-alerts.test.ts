/**
 * The chart's Grafana dashboard and Prometheus rules against what the server really exposes:
 * every metric they name is in a scrape of /metrics (or made by Prometheus: `up`, or by a
 * recording rule of the rules file), the gauges of shared state are never summed, money is per
 * currency, every panel follows the job and instance variables, and every alert links its
 * section of the runbook. promtool checks the rules' syntax and behaviour
 * (scripts/ci/promtool-check.sh).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { Scrape, metricTypes } from './exposition.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  repeat?: string;
  targets?: Target[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; definition?: string }[] };
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const dashboard = JSON.parse(read('helm/gy-ocs/dashboards/gy-ocs.json')) as Dashboard;
const rules = (
  parse(read('helm/gy-ocs/alerts/ocs-alerts.yaml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const runbook = read('docs/runbook.md');
const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, expr: t.expr })));
const variableQueries = dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : []));

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects (not its functions, labels or keywords). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\b(group_left|group_right)\b/g, '');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

let ocs: OcsFixture;
let exposed: Map<string, string>;
beforeAll(async () => {
  ocs = await startOcs();
  // One session through, so that the labelled histograms have their series too.
  const data = new CcSession(ocs, CONTEXT.data, await ocs.account());
  await data.initial([mscc(10, { rsu: [octets(MiB)] })]);
  await data.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
  exposed = metricTypes((await Scrape.of(ocs.server.httpPort)).text);
});
afterAll(() => ocs.close());

describe('the dashboard and the alert rules', () => {
  it('name only metrics the server exposes, Prometheus makes, or a recording rule defines', () => {
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const named = [
      ...targets.map((t) => t.expr),
      ...variableQueries.map((q) => q.replace(/^label_values\((.*),\s*\w+\)$/, '$1')),
      ...rules.map((r) => r.expr),
    ].flatMap(metricNames);
    expect(named.length).toBeGreaterThan(40);
    const unknown = [...new Set(named)].filter((name) => {
      if (name === 'up' || recorded.has(name) || exposed.has(name)) return false;
      const family = name.replace(/_(bucket|sum|count)$/, '');
      return !['histogram', 'summary'].includes(exposed.get(family) ?? '');
    });
    expect(unknown).toEqual([]);
  });

  it('take the max of the shared-state gauges, never their sum, and show money per currency', () => {
    const shared = targets.filter((t) => /ocs_charging_(sessions_active|money_reserved)\b/.test(t.expr));
    expect(shared.length).toBeGreaterThanOrEqual(2);
    for (const t of shared) expect(t.expr).toMatch(/^max\(ocs_charging_(sessions_active|money_reserved)\{/);
    const money = targets.filter((t) => t.expr.includes('ocs_charging_money_'));
    expect(money.length).toBeGreaterThanOrEqual(2);
    for (const t of money) {
      expect(t.expr).toContain('currency="$currency"');
      expect(t.panel.repeat).toBe('currency');
    }
  });

  it('follow the job and instance variables in every panel', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual([
      'datasource',
      'job',
      'instance',
      'currency',
    ]);
    for (const t of targets) {
      if (metricNames(t.expr).every((n) => n.includes(':'))) continue;
      expect(t.expr, t.panel.title).toContain('job=~"$job"');
      if (!/ocs_charging_(sessions_active|money_reserved)\b/.test(t.expr)) {
        expect(t.expr, t.panel.title).toContain('instance=~"$instance"');
      }
    }
  });

  it('link each alert to its section of the runbook, and keep the latency threshold a value', () => {
    const alerts = rules.filter((r) => r.alert);
    expect(alerts.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['OcsRedisDown', 'OcsTargetDown', 'OcsCreditControlLatencyP99']),
    );
    for (const rule of alerts) {
      const name = rule.alert!;
      expect(rule.annotations?.runbook_url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
      expect(runbook).toContain(`\n## ${name}\n`);
    }
    const threshold = rules.find((r) => r.record === 'ocs:credit_control_latency_threshold_seconds');
    expect(threshold?.expr).toMatch(/^vector\(\d+(\.\d+)?\)$/);
    expect(rules.find((r) => r.alert === 'OcsCreditControlLatencyP99')?.expr).toContain(
      'ocs:credit_control_latency_threshold_seconds',
    );
  });
});
