import { ResultCode } from '../errors/result-codes.js';
import type { SessionRecord } from '../credit-control/session-record.js';
import { peerOf } from '../credit-control/session-record.js';
import type { SessionStore } from '../credit-control/sessions.js';
import type { Logger } from '../logging.js';
import type { AbortSchedule } from './abort-schedule.js';
import type { NetworkRequestRouter } from './router.js';
import type { NetworkRequestKind, RequestResult, SessionTarget, Trigger } from './types.js';

/** Open sessions a tariff change looks through at most, and how many records it reads at once. */
const MAX_SESSIONS_SCANNED = 200_000;
const LOAD_BATCH = 200;

export interface NetworkTriggerDeps {
  sessions: Pick<SessionStore, 'openSessionsOf' | 'load' | 'due'>;
  router: Pick<NetworkRequestRouter, 'dispatch'>;
  schedule: AbortSchedule;
  /** How long after its ASR a session without CCR-T is closed here. */
  abortCloseMs: number;
  logger: Logger;
}

/** Which of an account's sessions a request is for: all, or one by its Session-Id. */
export interface Which {
  sessionId?: string;
  /** Wait for each answer (the operator's routes) rather than hand the requests over. */
  wait?: boolean;
}

/**
 * What the rest of the server asks of the network (DESIGN §4, docs/network-requests.md):
 * re-authorise an account's open sessions (RAR) so that they ask for credit again and are rated
 * with what changed, or abort them (ASR) when the account may no longer be served. Each
 * request goes to the client that opened the session, through the instance holding its
 * connection (router.ts).
 */
export class NetworkTriggers {
  constructor(private readonly deps: NetworkTriggerDeps) {}

  /**
   * A top-up or refund landed: RAR to the sessions whose last answer said the money had run
   * out (Final-Unit-Indication or 4012), so that their data resumes now rather than when the
   * Validity-Time ends (RFC 4006 §5.5).
   */
  async credited(msisdn: string, trigger: Extract<Trigger, 'topup' | 'refund'>): Promise<RequestResult[]> {
    return this.safely(msisdn, trigger, async () => {
      const sessions = (await this.deps.sessions.openSessionsOf(msisdn)).filter(
        (s) => exhaustedGroups(s) !== undefined,
      );
      return this.send('rar', sessions, trigger, false, (s) => {
        const groups = exhaustedGroups(s) ?? [];
        return groups.length === 1 ? groups[0] : undefined;
      });
    });
  }

  /** RAR to the account's open sessions (or one of them): rated again with what changed. */
  async reauthorize(msisdn: string, trigger: Trigger, which: Which = {}): Promise<RequestResult[]> {
    return this.send('rar', await this.sessionsOf(msisdn, which), trigger, which.wait ?? false);
  }

  /**
   * ASR to the account's open sessions (or one of them). Each is closed here, its money
   * returned, if no CCR-T has come within the bound, whatever the client answers.
   */
  async abort(msisdn: string, trigger: Trigger, which: Which = {}): Promise<RequestResult[]> {
    const sessions = await this.sessionsOf(msisdn, which);
    const due = Date.now() + this.deps.abortCloseMs;
    await Promise.all(sessions.map((s) => this.deps.schedule.schedule(msisdn, s.sessionId, due)));
    return this.send('asr', sessions, trigger, which.wait ?? false);
  }

  /**
   * The account's VPN package took effect or its preference came back: its sessions are
   * re-authorised, so that their next grant is rated by the package (DESIGN §3).
   */
  async packageChanged(msisdn: string): Promise<RequestResult[]> {
    return this.safely(msisdn, 'vpn', () => this.reauthorize(msisdn, 'vpn'));
  }

  /**
   * VPN members' packages were suspended, their fee unpaid: their open sessions, rated with the
   * preference until now, are re-authorised, so that their next CCR-U is rated at the tariff, or
   * aborted, as each package's `onSuspension` says (DESIGN §3). One member's failure is logged
   * and the others are still told.
   */
  async packagesSuspended(
    members: readonly { msisdn: string; onSuspension: 'reauthorize' | 'abort' }[],
  ): Promise<void> {
    for (const { msisdn, onSuspension } of members)
      await this.safely(msisdn, 'vpn', () =>
        onSuspension === 'abort' ? this.abort(msisdn, 'vpn') : this.reauthorize(msisdn, 'vpn'),
      );
  }

  /**
   * The account bought a bundle: its sessions are re-authorised, so that their next grant takes
   * the bundle's units in front of the money (DESIGN §3, Bundles).
   */
  async bundleChanged(msisdn: string): Promise<RequestResult[]> {
    return this.safely(msisdn, 'bundle', () => this.reauthorize(msisdn, 'bundle'));
  }

  /**
   * A tariff's prices changed: the open sessions rated by it are re-authorised, so that the new
   * prices apply from their next grant now rather than when they next ask for one.
   */
  async tariffChanged(tariffId: string): Promise<RequestResult[]> {
    return this.safely(`tariff ${tariffId}`, 'tariff', async () => {
      const open = await this.deps.sessions.due(Number.MAX_SAFE_INTEGER, MAX_SESSIONS_SCANNED);
      const rated: SessionRecord[] = [];
      for (let i = 0; i < open.length; i += LOAD_BATCH) {
        const batch = open.slice(i, i + LOAD_BATCH);
        const records = await Promise.all(batch.map((o) => this.deps.sessions.load(o.msisdn, o.sessionId)));
        for (const r of records) if (r?.state === 'open' && r.tariff === tariffId) rated.push(r);
      }
      return this.send('rar', rated, 'tariff', false);
    });
  }

  /**
   * A provisioning document was applied: the sessions of accounts it blocked or reported lost
   * are aborted, those of members whose package it activated re-authorised.
   */
  async provisioned(
    accounts: readonly { msisdn: string; status?: string | undefined }[],
    activated: readonly string[],
  ): Promise<void> {
    for (const a of accounts)
      if (a.status === 'blocked' || a.status === 'lost')
        await this.safely(a.msisdn, 'provisioning', () => this.abort(a.msisdn, 'provisioning'));
    for (const msisdn of activated)
      await this.safely(msisdn, 'provisioning', () => this.reauthorize(msisdn, 'provisioning'));
  }

  /** An account changed: blocked or reported lost, its sessions are aborted. */
  async accountChanged(
    msisdn: string,
    before: { status: string },
    after: { status: string },
    trigger: Trigger,
  ): Promise<RequestResult[]> {
    if (after.status === before.status || after.status === 'active') return [];
    return this.safely(msisdn, trigger, () => this.abort(msisdn, trigger));
  }

  /**
   * A request sent because something else happened (a top-up, a status change) must not undo
   * it: a failure to send is logged, and the change stands.
   */
  private async safely(
    msisdn: string,
    trigger: Trigger,
    work: () => Promise<RequestResult[]>,
  ): Promise<RequestResult[]> {
    try {
      return await work();
    } catch (err) {
      this.deps.logger.warn({ err, msisdn, trigger }, 'requests to the clients of the account failed');
      return [];
    }
  }

  private async sessionsOf(msisdn: string, which: Which): Promise<SessionRecord[]> {
    if (which.sessionId === undefined) return this.deps.sessions.openSessionsOf(msisdn);
    const one = await this.deps.sessions.load(msisdn, which.sessionId);
    return one && one.state === 'open' ? [one] : [];
  }

  private async send(
    kind: NetworkRequestKind,
    sessions: readonly SessionRecord[],
    trigger: Trigger,
    wait: boolean,
    ratingGroupOf: (s: SessionRecord) => number | undefined = () => undefined,
  ): Promise<RequestResult[]> {
    const results: RequestResult[] = [];
    for (const s of sessions) {
      const target = targetOf(s, ratingGroupOf(s));
      if (!target) {
        // A session opened before the record kept its client: nothing to address.
        this.deps.logger.warn(
          { sessionId: s.sessionId, kind },
          'session without its client; no request sent',
        );
        continue;
      }
      results.push(await this.deps.router.dispatch(kind, target, trigger, { wait }));
    }
    return results;
  }
}

function targetOf(s: SessionRecord, ratingGroup: number | undefined): SessionTarget | undefined {
  const peer = peerOf(s);
  if (!s.originHost || !s.originRealm || !peer) return undefined;
  return {
    msisdn: s.msisdn,
    sessionId: s.sessionId,
    originHost: s.originHost,
    originRealm: s.originRealm,
    peer,
    ...(s.instance ? { instance: s.instance } : {}),
    ...(ratingGroup !== undefined ? { ratingGroup } : {}),
  };
}

/**
 * The rating groups whose last answer said the money ran out: a grant with Final-Unit-Indication
 * or 4012 CREDIT_LIMIT_REACHED (command level: rating group 0); undefined when none did.
 */
function exhaustedGroups(s: SessionRecord): number[] | undefined {
  const a = s.lastAnswer;
  const out = (code: number, fui: unknown) => code === ResultCode.CREDIT_LIMIT_REACHED || fui !== undefined;
  const groups = a.services
    .filter((m) => out(m.resultCode, m.finalUnitIndication))
    .map((m) => m.ratingGroup ?? 0);
  if (a.services.length === 0 && out(a.resultCode, a.finalUnitIndication)) groups.push(0);
  return groups.length > 0 ? groups : undefined;
}
