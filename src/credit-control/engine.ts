import {
  GuardFailedError,
  MONEY,
  ReservationNotFoundError,
  type Guard,
  makeOpId,
  type BalanceStore,
  type SettleResult,
} from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import type { Logger } from '../logging.js';
import { dialledNumber, normalise, type NumberingPlan } from '../rating/numbering.js';
import { priceOf } from '../rating/tariff.js';
import type { Rating } from '../rating/types.js';
import type { CdrEntry, CdrWriter } from './cdr.js';
import type { ChargingMetrics } from './metrics.js';
import { handleEvent } from './events.js';
import { ChargingRefusal, refusalOf } from './outcome.js';
import type { Rater } from './rater.js';
import {
  byRatingGroup,
  chargedService,
  grantedUnits,
  serviceKindOf,
  unitsOf,
  type ServiceKind,
} from './service-kind.js';
import { isRepeat, type SessionRecord, type SessionStore } from './sessions.js';
import type { ChargingSettings, ServiceSettings } from './settings.js';
import type { SubscriberResolver } from './subscriber.js';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  CreditControlService,
  GrantedServiceUnits,
  ServiceCreditAnswer,
  ServiceCreditRequest,
} from './types.js';

export interface ChargingDeps {
  store: BalanceStore;
  sessions: SessionStore;
  cdrs: CdrWriter;
  subscribers: SubscriberResolver;
  rater: Rater;
  settings: ChargingSettings;
  logger: Logger;
  /** Milliseconds since the epoch; tests move time with it. */
  now?: () => number;
  metrics?: ChargingMetrics;
}

/** Rating group used for credit control at command level (RFC 4006 §5.1.1, no MSCC). */
const COMMAND_LEVEL = 0;

/**
 * RFC 4006 credit control onto the prepaid interfaces of DESIGN §2: CCR-I authenticates and
 * applies (freezes), CCR-U deducts, returns and applies again, CCR-T deducts and returns,
 * CCR-E charges or answers at once. Sessions live in Redis, so any instance takes any request.
 */
export class ChargingEngine implements CreditControlService {
  readonly now: () => number;
  /**
   * Records taken from this instance's memory rather than Redis, with the guard that the first
   * write of their request must carry (SessionStore.recall).
   */
  private readonly guards = new WeakMap<SessionRecord, Guard>();

  constructor(readonly deps: ChargingDeps) {
    this.now = deps.now ?? Date.now;
  }

  async handle(request: CreditControlRequest): Promise<CreditControlAnswer> {
    try {
      const kind = serviceKindOf(request.serviceContextId);
      if (!kind)
        throw new ChargingRefusal(
          ResultCode.RATING_FAILED,
          `Service-Context-Id ${request.serviceContextId} is not charged here`,
        );
      return await this.deps.sessions.serialise(request.sessionId, async () => {
        try {
          return await this.dispatch(kind, request);
        } catch (err) {
          if (!(err instanceof GuardFailedError)) throw err;
          // Another instance served the session since this one last did: nothing was written,
          // so the request is handled again from the record in Redis.
          this.deps.sessions.forget(request.sessionId);
          return await this.dispatch(kind, request);
        }
      });
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal) return refusal.toAnswer();
      this.deps.logger.error(
        { err, sessionId: request.sessionId, requestType: request.requestType },
        'credit control failed',
      );
      return {
        resultCode: ResultCode.UNABLE_TO_COMPLY,
        services: [],
        errorMessage: 'charging temporarily unavailable',
      };
    }
  }

  private dispatch(kind: ServiceKind, request: CreditControlRequest): Promise<CreditControlAnswer> {
    switch (request.requestType) {
      case 'initial':
        return this.initial(kind, request);
      case 'update':
        return this.update(kind, request);
      case 'termination':
        return this.termination(kind, request);
      case 'event':
        return this.event(kind, request);
    }
  }

  /** The served account's MSISDN; a request naming none is refused. */
  async servedAccount(request: CreditControlRequest): Promise<string> {
    if (request.subscriptionIds.length === 0) {
      throw new ChargingRefusal(
        ResultCode.MISSING_AVP,
        'Subscription-Id is required to find the account',
        'Subscription-Id',
      );
    }
    const msisdn = await this.deps.subscribers.resolve(request.subscriptionIds);
    if (!msisdn)
      throw new ChargingRefusal(ResultCode.USER_UNKNOWN, 'no Subscription-Id names a known subscriber');
    return msisdn;
  }

  private async initial(kind: ServiceKind, request: CreditControlRequest): Promise<CreditControlAnswer> {
    const msisdn = await this.servedAccount(request);
    const now = this.now();
    // Both at once, one round trip less before the grant: the account check only reads, and
    // when the session exists (a retransmission) its answer goes back whatever the check says.
    const authenticated = this.deps.store.authenticate(msisdn, now);
    authenticated.catch(() => undefined);
    const existing = await this.deps.sessions.load(msisdn, request.sessionId);
    if (existing) return this.repeatOrRefuse(existing, request);
    const account = await authenticated;
    const record: SessionRecord = {
      sessionId: request.sessionId,
      msisdn,
      kind,
      tariff: account.tariff,
      currency: account.currency,
      state: 'open',
      lastNumber: request.requestNumber,
      lastAnswer: { resultCode: ResultCode.SUCCESS, services: [] },
      startedAt: now,
      updatedAt: now,
      reserved: [],
      used: {},
      amounts: {},
      levels: [],
      ...partiesOf(request, this.deps.settings.numbering),
    };
    if (!account.prepaid) return this.postpaid(record, request);

    const single = request.services.length === 0;
    const services: ServiceCreditRequest[] = single
      ? [{ ratingGroup: COMMAND_LEVEL, serviceIdentifiers: [], requested: request.requested ?? {}, used: [] }]
      : byRatingGroup(request.services);
    const answers: ServiceCreditAnswer[] = [];
    for (const service of services) {
      answers.push(await this.grant(kind, record, request, service, { used: 0, settle: false }));
    }
    const answer = this.commandAnswer(answers, single);
    if (answer.resultCode === ResultCode.SUCCESS)
      answer.creditControlFailureHandling = this.deps.settings.creditControlFailureHandling;
    return this.finish(record, request, answer, answer.resultCode === ResultCode.SUCCESS ? 'open' : 'closed');
  }

  private async update(kind: ServiceKind, request: CreditControlRequest): Promise<CreditControlAnswer> {
    const record = await this.sessionOf(request);
    if (record.lastNumber >= request.requestNumber || record.state === 'closed')
      return this.repeatOrRefuse(record, request);
    const single = request.services.length === 0;
    const services: ServiceCreditRequest[] = single
      ? [
          {
            ratingGroup: COMMAND_LEVEL,
            serviceIdentifiers: [],
            requested: request.requested,
            used: request.used,
          },
        ]
      : byRatingGroup(request.services);
    const answers: ServiceCreditAnswer[] = [];
    for (const service of services) {
      const used = service.used.reduce((sum, u) => sum + (unitsOf(kind, u) ?? 0), 0);
      answers.push(await this.grant(kind, record, request, service, { used, settle: true }));
    }
    return this.finish(record, request, this.commandAnswer(answers, single), 'open');
  }

  private async termination(kind: ServiceKind, request: CreditControlRequest): Promise<CreditControlAnswer> {
    const record = await this.sessionOf(request);
    if (record.lastNumber >= request.requestNumber || record.state === 'closed')
      return this.repeatOrRefuse(record, request);
    const reported = new Map<number, number>();
    const report = (rg: number, units: number) => reported.set(rg, (reported.get(rg) ?? 0) + units);
    for (const service of request.services) {
      for (const u of service.used) report(service.ratingGroup ?? COMMAND_LEVEL, unitsOf(kind, u) ?? 0);
    }
    for (const u of request.used) report(COMMAND_LEVEL, unitsOf(kind, u) ?? 0);
    for (const rg of new Set([...record.reserved, ...reported.keys()])) {
      await this.settleUsage(record, request, rg, reported.get(rg) ?? 0, undefined);
    }
    record.closeReason = 'termination';
    const answer: CreditControlAnswer = { resultCode: ResultCode.SUCCESS, services: [] };
    return this.finish(record, request, answer, 'closed');
  }

  private event(kind: ServiceKind, request: CreditControlRequest): Promise<CreditControlAnswer> {
    return handleEvent(this, kind, request);
  }

  /**
   * One MSCC of a CCR-I or CCR-U: charge what was used (CCR-U), then, when units are asked
   * for, rate and freeze a new grant. Refusals become this MSCC's own Result-Code.
   */
  private async grant(
    kind: ServiceKind,
    record: SessionRecord,
    request: CreditControlRequest,
    service: ServiceCreditRequest,
    usage: { used: number; settle: boolean },
  ): Promise<ServiceCreditAnswer> {
    const rg = service.ratingGroup ?? COMMAND_LEVEL;
    const base: ServiceCreditAnswer = { resultCode: ResultCode.SUCCESS };
    if (service.ratingGroup !== undefined) base.ratingGroup = rg;
    if (service.serviceIdentifiers.length) base.serviceIdentifiers = service.serviceIdentifiers;
    const settings = this.deps.settings[kind];
    // CCR-I grants even without Requested-Service-Unit (RFC 4006 §5.1.2); CCR-U only when asked.
    const wanted = service.requested ?? (request.requestType === 'initial' ? {} : undefined);
    const units =
      wanted === undefined ? 0 : Math.min(unitsOf(kind, wanted) ?? settings.defaultQuota, settings.maxQuota);

    let rating: Rating | undefined;
    let ratingRefusal: ChargingRefusal | undefined;
    if (units > 0) {
      try {
        rating = await this.deps.rater.rate({
          msisdn: record.msisdn,
          tariffId: record.tariff,
          service: chargedService(kind, request, rg),
          request,
        });
        recordOtherParty(record, request, rating);
      } catch (err) {
        ratingRefusal = refusalOf(err);
        if (!ratingRefusal) throw err;
      }
    }
    const grant = rating ? { units, rating } : undefined;
    try {
      const outcome =
        usage.settle && (usage.used > 0 || record.reserved.includes(rg))
          ? await this.settleUsage(record, request, rg, usage.used, grant)
          : grant
            ? await this.applyGrant(record, request, rg, grant)
            : undefined;
      if (ratingRefusal) return { ...base, resultCode: ratingRefusal.resultCode };
      if (!grant || !outcome) return base;
      if (outcome.creditLimitReached) return { ...base, resultCode: ResultCode.CREDIT_LIMIT_REACHED };
      if (!record.levels.includes(grant.rating.level)) record.levels.push(grant.rating.level);
      return this.grantAnswer(kind, base, settings, outcome.granted, outcome.final);
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      return { ...base, resultCode: refusal.resultCode };
    }
  }

  private grantAnswer(
    kind: ServiceKind,
    base: ServiceCreditAnswer,
    settings: ServiceSettings,
    granted: number,
    final: boolean,
  ): ServiceCreditAnswer {
    const answer: ServiceCreditAnswer = {
      ...base,
      granted: grantedUnits(kind, granted),
      validityTime: settings.validityTime,
    };
    if (settings.quotaThreshold !== undefined) {
      if (kind === 'voice') answer.timeQuotaThreshold = settings.quotaThreshold;
      else if (kind === 'data') answer.volumeQuotaThreshold = settings.quotaThreshold;
      else answer.unitQuotaThreshold = settings.quotaThreshold;
    }
    if (settings.quotaHoldingTime !== undefined) answer.quotaHoldingTime = settings.quotaHoldingTime;
    if (final) answer.finalUnitIndication = this.deps.settings.finalUnit;
    return answer;
  }

  private expiresAt(kind: ServiceKind): number {
    return this.now() + this.tccSeconds(kind) * 1000;
  }

  private async applyGrant(
    record: SessionRecord,
    request: CreditControlRequest,
    rg: number,
    grant: { units: number; rating: Rating },
  ): Promise<{ granted: number; final: boolean; creditLimitReached: boolean }> {
    try {
      const guard = this.takeGuard(record);
      const result = await this.deps.store.apply({
        ...(guard ? { guard } : {}),
        opId: makeOpId(request.sessionId, request.requestNumber, `apply:${rg}`),
        msisdn: record.msisdn,
        sessionId: record.sessionId,
        ratingGroup: rg,
        nowMs: this.now(),
        tiers: grant.rating.tiers,
        units: grant.units,
        expiresAtMs: this.expiresAt(record.kind),
      });
      this.hold(record, rg, moneyOf(result.tiers));
      markReserved(record, rg, result.granted > 0);
      return { granted: result.granted, final: result.final, creditLimitReached: false };
    } catch (err) {
      if (refusalOf(err)?.resultCode === ResultCode.CREDIT_LIMIT_REACHED) {
        return { granted: 0, final: true, creditLimitReached: true };
      }
      throw err;
    }
  }

  /**
   * Deducts `used` from the rating group's reservation, returns the rest and, with `grant`,
   * freezes a new grant: one script call. Usage with no reservation left (it expired under
   * Tcc) is charged from what is available, never below zero.
   */
  async settleUsage(
    record: SessionRecord,
    request: CreditControlRequest,
    rg: number,
    used: number,
    grant: { units: number; rating: Rating } | undefined,
  ): Promise<{ granted: number; final: boolean; creditLimitReached: boolean }> {
    const ref = {
      msisdn: record.msisdn,
      sessionId: record.sessionId,
      ratingGroup: rg,
      nowMs: this.now(),
    };
    let result: SettleResult;
    const guard = this.takeGuard(record);
    try {
      result = await this.deps.store.settle({
        ...ref,
        ...(guard ? { guard } : {}),
        opId: makeOpId(request.sessionId, request.requestNumber, `settle:${rg}`),
        used,
        ...(grant
          ? { units: grant.units, tiers: grant.rating.tiers, expiresAtMs: this.expiresAt(record.kind) }
          : {}),
      });
    } catch (err) {
      if (!(err instanceof ReservationNotFoundError)) throw err;
      this.hold(record, rg, 0);
      markReserved(record, rg, false);
      await this.chargeUnreserved(record, request, rg, used);
      return grant
        ? this.applyGrant(record, request, rg, grant)
        : { granted: 0, final: false, creditLimitReached: false };
    }
    record.used[rg] = (record.used[rg] ?? 0) + used;
    addAmounts(record.amounts, result.amounts);
    this.hold(record, rg, moneyOf(result.tiers));
    this.countUsage(record, rg, used, result.amounts);
    if (result.uncharged > 0) {
      this.deps.logger.warn(
        { sessionId: record.sessionId, msisdn: record.msisdn, rg, uncharged: result.uncharged },
        'usage above what the account could pay',
      );
    }
    markReserved(record, rg, result.granted > 0);
    return { granted: result.granted, final: result.final, creditLimitReached: result.creditLimitReached };
  }

  private async chargeUnreserved(
    record: SessionRecord,
    request: CreditControlRequest,
    rg: number,
    used: number,
  ): Promise<void> {
    if (used <= 0) return;
    const rating = await this.deps.rater.rate({
      msisdn: record.msisdn,
      tariffId: record.tariff,
      service: chargedService(record.kind, request, rg),
      request,
    });
    try {
      const debit = await this.deps.store.directDebit({
        opId: makeOpId(request.sessionId, request.requestNumber, `late:${rg}`),
        msisdn: record.msisdn,
        sessionId: record.sessionId,
        ratingGroup: rg,
        tiers: rating.tiers,
        units: used,
        nowMs: this.now(),
        partial: true,
      });
      record.used[rg] = (record.used[rg] ?? 0) + used;
      addAmounts(record.amounts, debit.amounts);
      this.countUsage(record, rg, used, debit.amounts);
    } catch (err) {
      if (refusalOf(err)?.resultCode !== ResultCode.CREDIT_LIMIT_REACHED) throw err;
      this.deps.logger.warn(
        { sessionId: record.sessionId, msisdn: record.msisdn, rg, used },
        'late usage found no credit',
      );
    }
  }

  /** Command-level result: success unless every service failed (then the first failure). */
  private commandAnswer(services: ServiceCreditAnswer[], single: boolean): CreditControlAnswer {
    const failed = services.filter((s) => s.resultCode !== ResultCode.SUCCESS);
    const resultCode =
      services.length > 0 && failed.length === services.length ? failed[0]!.resultCode : ResultCode.SUCCESS;
    if (!single) return { resultCode, services };
    // RFC 4006 §5.1.1: without MSCC the grant and its details go at command level.
    const [s] = services;
    const answer: CreditControlAnswer = { resultCode, services: [] };
    if (s?.granted) answer.granted = s.granted;
    if (s?.validityTime !== undefined) answer.validityTime = s.validityTime;
    if (s?.finalUnitIndication) answer.finalUnitIndication = s.finalUnitIndication;
    return answer;
  }

  private async sessionOf(request: CreditControlRequest): Promise<SessionRecord> {
    const served = request.subscriptionIds.length
      ? await this.deps.subscribers.resolve(request.subscriptionIds)
      : undefined;
    const recalled = this.deps.sessions.recall(request.sessionId, served);
    if (recalled) {
      this.guards.set(recalled.record, recalled.guard);
      return recalled.record;
    }
    const msisdn = served ?? (await this.deps.sessions.ownerOf(request.sessionId));
    const record = msisdn ? await this.deps.sessions.load(msisdn, request.sessionId) : undefined;
    if (!record) throw new ChargingRefusal(ResultCode.UNKNOWN_SESSION_ID, `no session ${request.sessionId}`);
    return record;
  }

  /**
   * A request whose number the session has already seen: the same number is a retransmission
   * and gets the first answer again, charging nothing twice; an older one is out of order.
   */
  private repeatOrRefuse(record: SessionRecord, request: CreditControlRequest): CreditControlAnswer {
    if (isRepeat(record, request)) return record.lastAnswer;
    if (record.state === 'closed')
      throw new ChargingRefusal(ResultCode.UNKNOWN_SESSION_ID, `session ${request.sessionId} is closed`);
    throw new ChargingRefusal(
      ResultCode.INVALID_AVP_VALUE,
      `CC-Request-Number ${request.requestNumber} is not after ${record.lastNumber}, the session's last`,
      'CC-Request-Number',
    );
  }

  /** Saves the session after a request; a closed one writes its CDR. */
  async finish(
    record: SessionRecord,
    request: CreditControlRequest,
    answer: CreditControlAnswer,
    state: 'open' | 'closed',
  ): Promise<CreditControlAnswer> {
    const now = this.now();
    record.lastNumber = request.requestNumber;
    record.lastType = request.requestType;
    record.lastAnswer = answer;
    record.updatedAt = now;
    const { settings, metrics } = this.deps;
    if (metrics) {
      if (request.requestType === 'initial' && state === 'open')
        metrics.sessionsOpened.inc({ service: record.kind });
      if (state === 'closed' && record.closeReason) {
        metrics.sessionsClosed.inc({ service: record.kind, reason: record.closeReason });
      }
      for (const s of answer.services) {
        metrics.serviceResults.inc({
          service: record.kind,
          request_type: request.requestType,
          result_code: String(s.resultCode),
        });
        this.countGrant(record, s.ratingGroup ?? 0, s.granted, s.finalUnitIndication !== undefined);
      }
      if (answer.granted)
        this.countGrant(record, 0, answer.granted, answer.finalUnitIndication !== undefined);
    }
    const cdr =
      state === 'closed' && record.closeReason ? this.cdrEntry(record, answer.resultCode) : undefined;
    // Only a CCR-I puts a session under supervision and only its close takes it off: an update
    // does not move the supervision time (supervise() finds the real one in the record).
    const wasOpen = request.requestType === 'update' || request.requestType === 'termination';
    const guard = this.takeGuard(record);
    const expect = guard ? { expect: guard.value } : {};
    if (state === 'closed') {
      record.state = 'closed';
      const ttlSeconds = settings.closedSessionTtlSeconds;
      await this.deps.sessions.save(record, {
        ttlSeconds,
        ...expect,
        unsupervise: wasOpen,
        // Closed, the session needs it only while its record answers retransmissions.
        ...(wasOpen ? { ownerTtlSeconds: ttlSeconds } : {}),
        ...(cdr ? { cdr } : {}),
      });
    } else {
      const open = this.tccSeconds(record.kind);
      const ttlSeconds = open + settings.closedSessionTtlSeconds;
      await this.deps.sessions.save(record, {
        ttlSeconds,
        ...expect,
        ...(wasOpen ? {} : { superviseUntilMs: now + open * 1000 }),
        ...this.ownerRefresh(record, now, ttlSeconds),
      });
    }
    return answer;
  }

  /**
   * The Session-Id -> MSISDN record (for requests without Subscription-Id) must last as long as
   * the session record. Kept twice as long as the record needs, it is written when the session
   * opens and again only when less than that is left: once an hour or so, not every request.
   */
  private ownerRefresh(record: SessionRecord, now: number, ttlSeconds: number): { ownerTtlSeconds?: number } {
    if ((record.ownerUntil ?? 0) - now >= ttlSeconds * 1000) return {};
    record.ownerUntil = now + 2 * ttlSeconds * 1000;
    return { ownerTtlSeconds: 2 * ttlSeconds };
  }

  private cdrEntry(record: SessionRecord, resultCode: number): CdrEntry {
    return this.deps.cdrs.entry({
      sessionId: record.sessionId,
      msisdn: record.msisdn,
      service: record.kind,
      ...(record.callingParty ? { callingParty: record.callingParty } : {}),
      ...(record.calledParty ? { calledParty: record.calledParty } : {}),
      ...(record.role ? { role: record.role } : {}),
      used: record.used,
      amounts: record.amounts,
      levels: record.levels,
      startedAt: record.startedAt,
      endedAt: this.now(),
      resultCode,
      reason: record.closeReason ?? 'termination',
      ...(record.action ? { action: record.action } : {}),
    });
  }

  /**
   * RFC 4006 §5.1.1 / DESIGN §2: a user without the prepaid service is answered 4011 and
   * credit control stops; what was asked or reported is still recorded, priced by its tariff.
   */
  private async postpaid(record: SessionRecord, request: CreditControlRequest): Promise<CreditControlAnswer> {
    const services = request.services.length
      ? byRatingGroup(request.services)
      : [
          {
            ratingGroup: COMMAND_LEVEL,
            serviceIdentifiers: [],
            requested: request.requested,
            used: request.used,
          },
        ];
    for (const service of services) {
      const rg = service.ratingGroup ?? COMMAND_LEVEL;
      const units = [service.requested, ...service.used].reduce(
        (sum, u) => sum + (u ? (unitsOf(record.kind, u) ?? 0) : 0),
        0,
      );
      record.used[rg] = units;
      // The VPN logic runs first for postpaid members too (a short number in none of their
      // groups is refused), and the usage is recorded with the price it would be billed at.
      try {
        const rating = await this.deps.rater.rate({
          msisdn: record.msisdn,
          tariffId: record.tariff,
          service: chargedService(record.kind, request, rg),
          request,
        });
        recordOtherParty(record, request, rating);
        if (!record.levels.includes(rating.level)) record.levels.push(rating.level);
        const price = priceOf(rating, units);
        if (price > 0) record.amounts[MONEY] = (record.amounts[MONEY] ?? 0) + price;
      } catch (err) {
        const refusal = refusalOf(err);
        if (!refusal) throw err;
        if (refusal.resultCode === ResultCode.END_USER_SERVICE_DENIED) throw refusal;
      }
    }
    record.closeReason = 'postpaid';
    const answer: CreditControlAnswer = {
      resultCode: ResultCode.CREDIT_CONTROL_NOT_APPLICABLE,
      services: [],
      errorMessage: 'subscriber is not prepaid',
    };
    return this.finish(record, request, answer, 'closed');
  }

  /** How long a session may stay silent before Tcc closes it: Validity-Time plus the grace. */
  private tccSeconds(kind: ServiceKind): number {
    return this.deps.settings[kind].validityTime + this.deps.settings.tccGraceSeconds;
  }

  /** The guard a recalled record's first write must carry; later writes of the request need none. */
  private takeGuard(record: SessionRecord): Guard | undefined {
    const guard = this.guards.get(record);
    this.guards.delete(record);
    return guard;
  }

  /** Records what a rating group now holds of money, moving the frozen-money gauge by the change. */
  private hold(record: SessionRecord, rg: number, money: number): void {
    const held = (record.held ??= {});
    const before = held[rg] ?? 0;
    if (money > 0) held[rg] = money;
    else delete held[rg];
    if (money !== before) this.deps.metrics?.moneyReserved.inc(money - before);
  }

  private countUsage(record: SessionRecord, rg: number, used: number, amounts: Record<string, number>): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    if (used > 0) metrics.unitsUsed.inc({ service: record.kind, rating_group: String(rg) }, used);
    const money = amounts[MONEY] ?? 0;
    if (money > 0) metrics.moneyCharged.inc({ currency: record.currency || 'none' }, money);
  }

  private countGrant(
    record: SessionRecord,
    rg: number,
    granted: GrantedServiceUnits | undefined,
    final: boolean,
  ): void {
    const metrics = this.deps.metrics;
    if (!metrics || !granted) return;
    const units = granted.time ?? granted.totalOctets ?? granted.serviceSpecificUnits ?? 0;
    if (units > 0) metrics.unitsGranted.inc({ service: record.kind, rating_group: String(rg) }, units);
    if (final) metrics.finalUnits.inc({ service: record.kind });
  }

  /**
   * Tcc supervision (RFC 4006 §7): closes sessions silent past their Validity-Time plus the
   * grace, giving their frozen money back, and returns reservations left by any instance that
   * died. Requests do not move a session's supervision time, so an active session is due here
   * once per Validity-Time too and is put back at its real time; every due session is taken,
   * `limit` at a time, so that a busy server does not fall behind. Safe on every instance at
   * once: a session is closed with the record it was read as, so only one instance closes it.
   */
  async supervise(limit = 100): Promise<{ closed: number; reservationsExpired: number }> {
    const now = this.now();
    let closed = 0;
    for (let batch = 0; batch < MAX_SUPERVISION_BATCHES; batch++) {
      const due = await this.deps.sessions.due(now, limit);
      const outcomes = await Promise.all(
        due.map(({ msisdn, sessionId }) =>
          this.deps.sessions
            .serialise(sessionId, () => this.superviseSession(msisdn, sessionId, now))
            .catch((err: unknown) => {
              this.deps.logger.warn({ err, sessionId, msisdn }, 'Tcc supervision of a session failed');
              return false;
            }),
        ),
      );
      closed += outcomes.filter(Boolean).length;
      if (due.length < limit) break;
    }
    const swept = await this.deps.store.sweepExpired(now, limit);
    return { closed, reservationsExpired: swept.expired };
  }

  /** One due session: put back at its real time, or closed when silent. True when closed. */
  private async superviseSession(msisdn: string, sessionId: string, now: number): Promise<boolean> {
    const read = await this.deps.sessions.read(msisdn, sessionId);
    const record = read?.record;
    if (!read || !record || record.state !== 'open') {
      await this.deps.sessions.unsupervise(msisdn, sessionId);
      return false;
    }
    const silentUntil = record.updatedAt + this.tccSeconds(record.kind) * 1000;
    if (silentUntil > now) {
      await this.deps.sessions.resupervise(msisdn, sessionId, silentUntil);
      return false;
    }
    for (const rg of record.reserved) {
      try {
        // The same operation id on every instance: the money is returned once.
        await this.deps.store.release({
          opId: makeOpId(sessionId, record.lastNumber, `tcc:${rg}`),
          msisdn,
          sessionId,
          ratingGroup: rg,
          nowMs: now,
        });
      } catch (err) {
        if (!(err instanceof ReservationNotFoundError)) throw err;
      }
    }
    const closedRecord: SessionRecord = {
      ...record,
      reserved: [],
      held: {},
      state: 'closed',
      closeReason: 'tcc-expired',
      updatedAt: now,
    };
    const ttlSeconds = this.deps.settings.closedSessionTtlSeconds;
    try {
      await this.deps.sessions.save(closedRecord, {
        ttlSeconds,
        expect: read.guard.value,
        unsupervise: true,
        ownerTtlSeconds: ttlSeconds,
        cdr: this.cdrEntry(closedRecord, record.lastAnswer.resultCode),
      });
    } catch (err) {
      // Another instance closed it first, or a request came: nothing was written here.
      if (err instanceof GuardFailedError) return false;
      throw err;
    }
    for (const rg of record.reserved) this.hold(record, rg, 0);
    this.deps.metrics?.sessionsClosed.inc({ service: record.kind, reason: 'tcc-expired' });
    this.deps.logger.info({ sessionId, msisdn }, 'session closed by Tcc supervision');
    return true;
  }
}

/** Bound on one supervision run: this many batches of `limit` due sessions. */
const MAX_SUPERVISION_BATCHES = 50;

function moneyOf(holds: readonly { bucket: string; amount: number }[]): number {
  let money = 0;
  for (const h of holds) if (h.bucket === MONEY) money += h.amount;
  return money;
}

/** The CDR names the other party by the number it was rated as (a short number resolved). */
function recordOtherParty(record: SessionRecord, request: CreditControlRequest, rating: Rating): void {
  if (request.ims?.roleOfNode === 'terminating') {
    // The called party is the served account, however the caller dialled it.
    record.calledParty = record.msisdn;
    if (rating.otherParty) record.callingParty = rating.otherParty;
  } else if (rating.otherParty) {
    record.calledParty = rating.otherParty;
  }
}

function markReserved(record: SessionRecord, rg: number, reserved: boolean): void {
  const has = record.reserved.includes(rg);
  if (reserved && !has) record.reserved.push(rg);
  if (!reserved && has) record.reserved = record.reserved.filter((r) => r !== rg);
}

function addAmounts(total: Record<string, number>, add: Record<string, number>): void {
  for (const [bucket, amount] of Object.entries(add)) total[bucket] = (total[bucket] ?? 0) + amount;
}

/** Calling and called party of a voice leg, as international numbers when they are numbers. */
function partiesOf(
  request: CreditControlRequest,
  plan: NumberingPlan,
): Pick<SessionRecord, 'callingParty' | 'calledParty' | 'role'> {
  const ims = request.ims;
  if (!ims) return {};
  const number = (address: string) => {
    const dialled = dialledNumber(address);
    return dialled ? normalise(dialled, plan) : address;
  };
  const parties: Pick<SessionRecord, 'callingParty' | 'calledParty' | 'role'> = {};
  if (ims.callingPartyAddress) parties.callingParty = number(ims.callingPartyAddress);
  if (ims.calledPartyAddresses[0]) parties.calledParty = number(ims.calledPartyAddresses[0]);
  if (ims.roleOfNode) parties.role = ims.roleOfNode;
  return parties;
}
