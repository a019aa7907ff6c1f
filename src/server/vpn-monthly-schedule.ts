/**
 * VPN_MONTHLY_RUN=auto: for a deployment without a scheduler (no Kubernetes CronJob, no cron),
 * the servers run the monthly VPN run of DESIGN §3 themselves, at their first check in each
 * month. Every instance checks (at start, then hourly); one runs the month.
 *
 * The month's lock keeps the other instances from scanning the activations at the same time;
 * it is not what keeps a fee from being charged twice: each activation is charged under its
 * number's lock and only when its fee is still due (src/vpn/monthly-run.ts), so a run that
 * outlives its lock, or one started by hand meanwhile, changes nothing already settled.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';
import type { Logger } from '../logging.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import { monthOf } from '../vpn/model.js';
import { VpnRegistry, type MonthlyRunSummary } from '../vpn/registry.js';

/** How often each instance looks whether the current month has been run. */
export const VPN_MONTHLY_CHECK_MS = 3_600_000;
/** A holder that dies leaves the month to the next check after this. */
const LOCK_TTL_MS = 3_600_000;
/** A settled month's marker outlives the month, then goes. */
const DONE_TTL_SECONDS = 70 * 86_400;

/**
 * What a check found: the month run here (`ran`; `incomplete` when some activations could not
 * be decided and the next check tries again), settled already, or being run by another instance.
 */
export type MonthlyCheck = 'ran' | 'incomplete' | 'settled' | 'running elsewhere';

export interface VpnMonthlyScheduleOptions {
  redis: Redis | Cluster;
  store: BalanceStore;
  keyPrefix: string;
  logger: Logger;
  now: () => number;
  /** Tells the open sessions of the members a run suspended, as their package says. */
  network?: Pick<NetworkTriggers, 'packagesSuspended'>;
}

export class VpnMonthlySchedule {
  private readonly registry: VpnRegistry;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<MonthlyCheck> | undefined;

  constructor(private readonly options: VpnMonthlyScheduleOptions) {
    const { redis, store, keyPrefix } = options;
    this.registry = new VpnRegistry({ redis, store, keyPrefix });
  }

  /** Checks now, then every `intervalMs`; a failed check is logged and tried at the next. */
  start(intervalMs = VPN_MONTHLY_CHECK_MS): void {
    const tick = () => {
      this.check().catch((err: unknown) => this.options.logger.warn({ err }, 'monthly VPN run check failed'));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Runs the current month here unless it is settled or another instance runs it; one at a time. */
  check(): Promise<MonthlyCheck> {
    this.checking ??= this.checkMonth(monthOf(this.options.now())).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkMonth(month: string): Promise<MonthlyCheck> {
    const { redis, logger } = this.options;
    const keys = this.registry.keys;
    const done = keys.monthlyRunDone(month);
    if ((await redis.exists(done)) === 1) return 'settled';
    const lock = keys.monthlyRunLock(month);
    const token = randomBytes(12).toString('hex');
    if ((await redis.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return 'running elsewhere';
    try {
      // The holder before us may have settled the month between our two looks.
      if ((await redis.exists(done)) === 1) return 'settled';
      logger.info({ month }, 'monthly VPN run: starting');
      const summary = await this.registry.monthlyRun(month, this.options.now());
      report(summary, logger);
      await this.options.network?.packagesSuspended(summary.suspensions);
      if (summary.failed.length > 0) return 'incomplete';
      await redis.set(done, JSON.stringify(summary), 'EX', DONE_TTL_SECONDS);
      return 'ran';
    } finally {
      await redis.vpnUnlock(lock, token);
    }
  }
}

function report(summary: MonthlyRunSummary, logger: Logger): void {
  const { month, charged, suspended, skipped, failed } = summary;
  for (const { msisdn, code, message } of failed) {
    logger.warn({ month, msisdn, code, reason: message }, 'monthly VPN run: activation left undecided');
  }
  const counts = { month, charged, suspended, skipped, failed: failed.length };
  if (failed.length > 0) logger.warn(counts, 'monthly VPN run: incomplete, the next check tries again');
  else logger.info(counts, 'monthly VPN run: done');
}
