import type { ProvisioningDeps } from '../provisioning/apply.js';
import { ProvisioningError } from '../provisioning/document.js';
import { BundleUsage } from './bundle-usage.js';
import { ExpectedMoney } from './money.js';
import { compareBalances } from './money-check.js';
import { PackageCallers } from './package-calls.js';
import {
  accountNumbers,
  accountRanges,
  balanceSnapshot,
  provisionScenario,
  type BalanceSnapshot,
} from './provision.js';
import { SimulatorError } from './error.js';
import { Runner, type RunOptions } from './runner.js';
import type { Scenario } from './scenario.js';
import type { Report } from './report.js';

/** Above this many accounts the balances are not summed before and after (it would take long). */
const MONEY_CHECK_MAX_ACCOUNTS = 200_000;

export interface SimulationOptions extends Omit<RunOptions, 'charges'> {
  /**
   * The server's store: when given, the scenario's tariff and accounts are provisioned first
   * and the accounts' balances are compared with what the tariff says was spent.
   */
  provisioning?: ProvisioningDeps;
  log?: (line: string) => void;
}

/** Runs a step against Redis; a failure names the step (a provisioning mistake stays as it is). */
async function store<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ProvisioningError) throw err;
    throw new SimulatorError(`${what} failed: ${(err as Error).message}`);
  }
}

/** Per account holding bundles, the units each bundle bucket holds. */
function availableUnits(snapshot: BalanceSnapshot): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const [msisdn, h] of snapshot.holders)
    out.set(msisdn, Object.fromEntries(Object.entries(h.bundles).map(([b, s]) => [b, s.available])));
  return out;
}

/** A whole simulator run: provisioning, the run, the money check. */
export class Simulation {
  private runner: Runner | undefined;
  private stops = 0;

  constructor(
    readonly scenario: Scenario,
    private readonly options: SimulationOptions = {},
  ) {}

  /** As Runner.stop; before the run starts, the run is skipped. */
  stop(): void {
    if (this.runner) this.runner.stop();
    else this.stops++;
  }

  async run(): Promise<Report> {
    const { scenario, options } = this;
    const log = options.log ?? (() => undefined);
    const deps = options.provisioning;
    const ranges = accountRanges(scenario);
    const accounts = ranges.reduce((n, r) => n + r.count, 0);
    if (deps && scenario.provision) {
      log(`provisioning tariff ${scenario.provision.tariff.id} and ${accounts} accounts...`);
      const p = await store('provisioning', () => provisionScenario(deps, scenario));
      log(
        `provisioned: ${p.accountsCreated} accounts created, ${p.accountsUpdated} already there (balances kept)`,
      );
    } else if (scenario.provision) {
      log('provisioning skipped (no Redis given): the accounts must exist');
    }
    const tariff = scenario.provision?.tariff;
    const checkMoney = deps !== undefined && tariff !== undefined && accounts <= MONEY_CHECK_MAX_ACCOUNTS;
    // Members whose voice calls a VPN package may price: their money is checked apart.
    const packages = checkMoney
      ? await store('reading VPN packages', () =>
          PackageCallers.read(deps.redis, deps.store.keys.prefix, accountNumbers(ranges), tariff),
        )
      : PackageCallers.NONE;
    const before = checkMoney
      ? await store('reading balances', () => balanceSnapshot(deps, ranges, packages))
      : undefined;
    // Accounts holding bundles spend them before money: the check follows each one's bundles.
    const bundles =
      checkMoney && before && before.holders.size > 0
        ? await store('reading bundles', () =>
            BundleUsage.read(deps.redis, deps.store.keys.prefix, availableUnits(before)),
          )
        : BundleUsage.NONE;
    const expected = tariff ? new ExpectedMoney(tariff, packages, bundles) : undefined;

    this.runner = new Runner(scenario, { ...options, ...(expected ? { charges: expected } : {}) });
    if (this.stops > 0) this.runner.stop();
    const report = await this.runner.run();

    if (expected) {
      report.money = { expected: expected.total, expectedVpn: expected.vpn };
      if (before && deps)
        compareBalances(
          report,
          expected,
          before,
          await store('reading balances', () => balanceSnapshot(deps, ranges, packages)),
        );
      else if (deps && accounts > MONEY_CHECK_MAX_ACCOUNTS)
        report.warnings.push(`balances not checked: more than ${MONEY_CHECK_MAX_ACCOUNTS} accounts`);
    }
    return report;
  }
}
