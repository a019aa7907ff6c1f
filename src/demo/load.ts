import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AccountView } from '../balance/index.js';
import type { StoredChargingRecord } from '../credit-control/cdr.js';
import { provision, type ProvisioningDeps } from '../provisioning/apply.js';
import {
  accountRanges,
  change,
  moneySnapshot,
  provisioningDocuments,
  totalOf,
} from '../simulator/provision.js';
import type { Progress } from '../simulator/progress.js';
import { loadScenario, type Scenario } from '../simulator/scenario.js';
import { Simulation } from '../simulator/simulation.js';
import type { Report } from '../simulator/report.js';
import { formatReport } from '../simulator/report-text.js';

/** The demo's load: scenarios/demo.yaml beside dist/ and src/. */
export const DEMO_SCENARIO = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));

/**
 * The demo scenario pointed at the demo's server; `seconds` (DEMO_SECONDS) shortens it.
 * Undefined when the file is not there (a package installed without it).
 */
export function demoScenario(port: number, seconds?: number): Scenario | undefined {
  if (!existsSync(DEMO_SCENARIO)) return undefined;
  const scenario = loadScenario(DEMO_SCENARIO);
  scenario.peers.server = { host: '127.0.0.1', port };
  if (seconds !== undefined && seconds > 0)
    scenario.stop = { drainSeconds: scenario.stop.drainSeconds, duration: seconds };
  return scenario;
}

/** DEMO_SECONDS when it is a positive number. */
export function demoSeconds(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const seconds = Number(env.DEMO_SECONDS);
  return env.DEMO_SECONDS && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function progressLine(p: Progress): string {
  return (
    `  ${p.seconds.toFixed(1).padStart(5)} s  ${p.perSecond.toFixed(0).padStart(6)} CCR/s  in flight ${String(p.inFlight).padStart(4)}` +
    `  sessions ${String(p.activeSessions).padStart(4)}  answered ${p.answered}  errors ${p.errors}` +
    (p.phase === 'running' ? '' : `  (${p.phase})`)
  );
}

export interface LoadResult {
  report: Report;
  /** Money over the scenario's own accounts: spent as the tariff gives, nothing left reserved. */
  moneyConsistent: boolean;
}

/**
 * The demo's mixed simulation: provisions the scenario's accounts (on the demo document's tariff,
 * which is already there), runs it with a live progress line, and prints the report and what
 * the money did. The scenario's VPN calls are made by the demo group's members, whose package
 * prices them, so the money check covers the scenario's own accounts (all the other usage).
 */
export class DemoLoad {
  private simulation: Simulation | undefined;
  private stopped = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly deps: ProvisioningDeps,
    private readonly print: (line: string) => void = (line) => console.log(line),
  ) {}

  /** First call: stop sending, wait for the answers due; a second call ends the run now. */
  stop(): void {
    this.stopped = true;
    this.simulation?.stop();
  }

  async run(): Promise<LoadResult> {
    const { scenario, deps, print } = this;
    // The accounts only: the first document is the tariff, already loaded from the demo document.
    for (const doc of provisioningDocuments(scenario).slice(1)) await provision(deps, doc);
    const ranges = accountRanges(scenario);
    const accounts = ranges.reduce((n, r) => n + r.count, 0);
    const mode = scenario.mode;
    const rate =
      mode.type === 'rate' ? `${mode.ccrPerSecond ?? mode.sessionsPerSecond} CCR/s` : 'as fast as answered';
    print(
      `Load: ${scenario.stop.duration ?? '?'} s of ${scenario.name ?? 'the scenario'} (scenarios/demo.yaml) at ${rate}, ` +
        `${scenario.peers.count} peers, over ${accounts} accounts and the ZTE-SZ members`,
    );
    const before = await moneySnapshot(deps, ranges);
    const tty = process.stdout.isTTY === true;
    let lastPrinted = -Infinity;
    this.simulation = new Simulation(scenario, {
      onProgress: (p) => {
        if (tty) process.stdout.write(`\r${progressLine(p)}\x1b[K`);
        else if (p.seconds - lastPrinted >= 5 || p.phase !== 'running') {
          lastPrinted = p.seconds;
          print(progressLine(p));
        }
      },
    });
    if (this.stopped) this.simulation.stop();
    const report = await this.simulation.run();
    if (tty) process.stdout.write('\n');
    const after = await moneySnapshot(deps, ranges);
    const expected = report.money?.expected ?? 0;
    // The simulator prices VPN calls by the tariff; here the package does: its line is left out.
    delete report.money;
    // The server runs in this process too: the simulator's CPU line is theirs together.
    print(
      `\n${formatReport(report).replace(/^CPU {8}simulator /m, 'CPU        server and simulator (one process) ')}`,
    );
    const spent = change(after.spent, before.spent);
    const reserved = change(after.reserved, before.reserved);
    const total = change(totalOf(after), totalOf(before));
    const aborted = report.sessions.total.aborted > 0;
    const moneyConsistent = aborted || (spent === expected && reserved === 0 && total === 0);
    print(
      `Money      the ${after.accounts.toLocaleString('en-US')} load accounts spent ${spent}, the tariff gives ${expected}; ` +
        `reserved ${reserved >= 0 ? '+' : ''}${reserved}, total ${total >= 0 ? '+' : ''}${total}: ` +
        (aborted
          ? 'not checked (sessions were cut short)'
          : moneyConsistent
            ? 'consistent'
            : 'NOT consistent'),
    );
    return { report, moneyConsistent };
  }
}

/** One account's buckets, with what moved since `before`. */
export function balanceLines(
  msisdn: string,
  before: AccountView | null | undefined,
  after: AccountView | null | undefined,
): string[] {
  if (!after) return [`  ${msisdn}: no such account`];
  const lines: string[] = [];
  for (const [bucket, v] of Object.entries(after.buckets)) {
    const was = before?.buckets[bucket];
    const moved = was ? v.spent - was.spent : v.spent;
    const label = bucket === 'money' ? `${msisdn} money` : `  ${bucket}`;
    lines.push(
      `  ${label.padEnd(28)} available ${String(v.available).padStart(8)}  reserved ${String(v.reserved).padStart(4)}` +
        `  spent ${String(v.spent).padStart(8)}${moved ? `  (${moved > 0 ? '+' : ''}${moved} spent here)` : ''}`,
    );
  }
  return lines;
}

function usedText(record: StoredChargingRecord): string {
  const used = Object.values(record.used).reduce((a, b) => a + b, 0);
  switch (record.service) {
    case 'voice':
      return `${used} s`;
    case 'data':
      return `${(used / 1_000_000).toFixed(1)} MB`;
    case 'sms':
      return `${used} SMS`;
    default:
      return String(used);
  }
}

/** A CDR on one line: when, what, to whom, what it cost from which bucket. */
export function cdrLine(record: StoredChargingRecord): string {
  const when = new Date(record.endedAt).toISOString().slice(11, 19);
  const to = record.calledParty ? ` to ${record.calledParty}` : '';
  const amounts = Object.entries(record.amounts)
    .filter(([, amount]) => amount !== 0)
    .map(([bucket, amount]) => `${bucket} ${amount}`)
    .join(', ');
  return (
    `    ${when} ${record.service.padEnd(5)} ${usedText(record).padStart(8)}${to}` +
    `  charged ${amounts || 'nothing'}  [${record.reason}, ${record.resultCode}]`
  );
}
