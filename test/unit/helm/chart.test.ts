/**
 * The Helm chart as an operator installs it, rendered by a real helm (scripts/ci/helm-check.mjs
 * finds or fetches one): what the schemas of the kinds cannot say about the objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART, ensureHelm, objectProblems, renderChart } from '../../../scripts/ci/helm-check.mjs';

let helm: string;
beforeAll(() => {
  helm = ensureHelm();
}, 120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = any;

function render(values: unknown[] = [], files: string[] = []): K8sObject[] {
  const rendered = renderChart(helm, { values, files: files.map((f) => join(CHART, 'ci', f)) });
  if (!rendered.ok) throw new Error(rendered.stderr);
  return rendered.objects;
}

/** The rules of alerts/ocs-alerts.yaml, as promtool checks them. */
function alerts(): K8sObject {
  return parse(readFileSync(join(CHART, 'alerts/ocs-alerts.yaml'), 'utf8'));
}

function find(objects: K8sObject[], kind: string, suffix = ''): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === `ocs-gy-ocs${suffix}`);
  if (!found) throw new Error(`no ${kind} ocs-gy-ocs${suffix}`);
  return found;
}

function server(objects: K8sObject[]): K8sObject {
  return find(objects, 'Deployment').spec.template.spec.containers[0];
}

function env(container: K8sObject, name: string): K8sObject {
  return container.env.find((e: K8sObject) => e.name === name);
}

describe('the chart with its defaults', () => {
  it('runs the server restricted: non-root uid 1000, read-only root, no capabilities, seccomp', () => {
    const pod = find(render(), 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.volumes.find((v: K8sObject) => v.name === 'tmp')).toHaveProperty('emptyDir');
  });

  it('probes the health endpoints of the HTTP listener', () => {
    const container = server(render());
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('names each replica after its pod: Origin-Host <pod name>.<domain>', () => {
    const container = server(render([{ diameter: { originHostDomain: 'ocs.operator.example' } }]));
    expect(env(container, 'POD_NAME').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env(container, 'ORIGIN_HOST').value).toBe('$(POD_NAME).ocs.operator.example');
    expect(container.env.findIndex((e: K8sObject) => e.name === 'POD_NAME')).toBeLessThan(
      container.env.findIndex((e: K8sObject) => e.name === 'ORIGIN_HOST'),
    );
  });

  it('keeps the admin API and /metrics off the Diameter Service', () => {
    const objects = render([{ service: { type: 'LoadBalancer' } }]);
    expect(find(objects, 'Service').spec.ports.map((p: K8sObject) => p.name)).toEqual(['diameter']);
    expect(find(objects, 'Service', '-http').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http' }] });
  });

  it('selects the server pods only, not those of its CronJobs', () => {
    const objects = render();
    const serverLabels = find(objects, 'Deployment').spec.template.metadata.labels;
    const jobLabels = find(objects, 'CronJob', '-vpn-monthly').spec.jobTemplate.spec.template.metadata.labels;
    for (const selector of [find(objects, 'Service').spec.selector, find(objects, 'PodDisruptionBudget').spec.selector.matchLabels]) {
      expect(serverLabels).toMatchObject(selector);
      expect(jobLabels).not.toMatchObject(selector);
    }
  });
});

describe('the PrometheusRule', () => {
  const ruleOf = (prometheusRule: Record<string, unknown>) =>
    find(render([{ metrics: { prometheusRule: { enabled: true, ...prometheusRule } } }]), 'PrometheusRule').spec
      .groups as K8sObject[];
  const rule = (groups: K8sObject[], name: string) =>
    groups.flatMap((g) => g.rules).find((r: K8sObject) => r.alert === name || r.record === name);

  it('is the rules file as it is with the default values', () => {
    expect(ruleOf({})).toEqual(alerts().groups);
  });

  it('sets the latency threshold, the runbook base and the job regex of its values', () => {
    const groups = ruleOf({
      latencyThresholdSeconds: 0.15,
      runbookBaseUrl: 'https://github.com/org/gy-ocs/blob/main/',
      jobSelector: 'charging/ocs-.*\\.http',
    });
    expect(rule(groups, 'ocs:credit_control_latency_threshold_seconds').expr).toBe('vector(0.15)');
    expect(rule(groups, 'OcsExportStopped').annotations.runbook_url).toBe(
      'https://github.com/org/gy-ocs/blob/main/docs/runbook.md#ocsexportstopped',
    );
    // A PromQL string: the regex's backslash escaped.
    expect(rule(groups, 'OcsTargetDown').expr).toBe('up{job=~"charging/ocs-.*\\\\.http"} == 0');
    expect(rule(groups, 'OcsNoInstanceUp').expr).toBe('absent(up{job=~"charging/ocs-.*\\\\.http"} == 1)');
  });
});

describe('the chart with its CI values', () => {
  it('takes every secret from a Secret, never from a ConfigMap', () => {
    const objects = render([], ['created-secrets-values.yaml']);
    const values = parse(readFileSync(join(CHART, 'ci/created-secrets-values.yaml'), 'utf8'));
    const secret = find(objects, 'Secret');
    const container = server(objects);
    for (const [name, variable] of [
      ['redisUrl', 'REDIS_URL'],
      ['redisPassword', 'REDIS_PASSWORD'],
      ['adminToken', 'ADMIN_TOKEN'],
      ['metricsToken', 'METRICS_TOKEN'],
    ] as const) {
      const { value, key } = values.secrets[name];
      expect(secret.stringData[key]).toBe(value);
      expect(env(container, variable).valueFrom.secretKeyRef).toEqual({ name: 'ocs-gy-ocs', key });
      for (const config of objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Deployment')) {
        expect(JSON.stringify(config)).not.toContain(value);
      }
    }
    expect(env(container, 'ADMIN_TOKENS')).toBeUndefined();
    expect(find(objects, 'ServiceMonitor').spec.endpoints[0].authorization.credentials).toEqual({
      name: 'ocs-gy-ocs',
      key: 'metrics-token',
    });
  });

  it('with VPN_MONTHLY_RUN=auto, has no monthly CronJob', () => {
    const objects = render([], ['created-secrets-values.yaml']);
    expect(env(server(objects), 'VPN_MONTHLY_RUN').value).toBe('auto');
    expect(objects.filter((o) => o.kind === 'CronJob')).toEqual([]);
  });

  it('production: existing Secrets, HPA, spread, monitoring made from the chart files', () => {
    const objects = render([], ['production-values.yaml']);
    const container = server(objects);
    expect(env(container, 'REDIS_URL').valueFrom.secretKeyRef).toEqual({ name: 'ocs-redis', key: 'url' });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 8 });
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((c: K8sObject) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    // The rules of the file, with the threshold, runbook base and job regex of the values.
    const expected = alerts().groups;
    for (const rule of expected.flatMap((g: K8sObject) => g.rules)) {
      if (rule.record === 'ocs:credit_control_latency_threshold_seconds') rule.expr = 'vector(0.05)';
      rule.expr = rule.expr.replace('job=~".*gy-ocs.*"', 'job=~"ocs-gy-ocs-http|gy-ocs-static"');
      if (rule.annotations) {
        rule.annotations.runbook_url = `https://git.operator.example/charging/gy-ocs/blob/v0.1.0/${rule.annotations.runbook_url}`;
      }
    }
    expect(expected.flatMap((g: K8sObject) => g.rules).filter((r: K8sObject) => /job=~"ocs-gy-ocs-http/.test(r.expr))).toHaveLength(2);
    expect(find(objects, 'PrometheusRule').spec.groups).toEqual(expected);
    const dashboard = find(objects, 'ConfigMap', '-dashboard');
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboard.data['gy-ocs.json'])).toEqual(
      JSON.parse(readFileSync(join(CHART, 'dashboards/gy-ocs.json'), 'utf8')),
    );
    const service = find(objects, 'Service');
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
  });

  it('production: the CDR export CronJob writes into the claim, the servers keep a scratch emptyDir', () => {
    const objects = render([], ['production-values.yaml']);
    const job = find(objects, 'CronJob', '-cdr-export').spec.jobTemplate.spec.template.spec;
    expect(job.volumes.find((v: K8sObject) => v.name === 'export').persistentVolumeClaim).toEqual({
      claimName: 'ocs-gy-ocs-export',
    });
    expect(find(objects, 'PersistentVolumeClaim', '-export').spec.resources.requests.storage).toBe('20Gi');
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes.find((v: K8sObject) => v.name === 'export')).toEqual({ name: 'export', emptyDir: {} });
    expect(env(pod.containers[0], 'EXPORT_DIR').value).toBe('/var/lib/ocs/export');
    expect(env(pod.containers[0], 'EXPORT_ENABLED')).toBeUndefined();
    const exporter = job.containers[0];
    expect(exporter.args).toEqual(['export']);
    expect(env(exporter, 'EXPORT_CDR_FORMAT').value).toBe('both');
    const monthly = find(objects, 'CronJob', '-vpn-monthly').spec.jobTemplate.spec.template.spec.containers[0];
    expect(monthly.args).toEqual(['vpn-monthly']);
    expect(env(monthly, 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'ocs-redis', key: 'password' });
  });

  it('NodePort: fixed node ports, Local traffic policy, the servers exporting into an existing claim', () => {
    const objects = render([], ['nodeport-values.yaml']);
    const service = find(objects, 'Service');
    expect(service.spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Local' });
    expect(service.spec.ports.map((p: K8sObject) => [p.name, p.nodePort])).toEqual([
      ['diameter', 30868],
      ['diameter-tls', 30658],
    ]);
    const volumes = find(objects, 'Deployment').spec.template.spec.volumes;
    expect(volumes.find((v: K8sObject) => v.name === 'export').persistentVolumeClaim).toEqual({ claimName: 'ocs-exports' });
    const server = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(env(server, 'EXPORT_ENABLED').value).toBe('true');
    expect(objects.some((o) => o.kind === 'CronJob' && o.metadata.name.endsWith('-cdr-export'))).toBe(false);
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(find(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 0 });
  });
});

describe('the schema check of rendered objects', () => {
  it('finds a wrong type and a missing standard label', async () => {
    const objects = render();
    expect(await objectProblems(objects)).toEqual([]);
    const deployment = structuredClone(find(objects, 'Deployment'));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'diameter';
    delete deployment.metadata.labels['helm.sh/chart'];
    const problems = await objectProblems([deployment]);
    expect(problems.join('\n')).toMatch(/containerPort must be integer/);
    expect(problems.join('\n')).toMatch(/no label helm\.sh\/chart/);
  });
});
