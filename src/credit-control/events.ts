import {
  BalanceCode,
  BalanceError,
  MONEY,
  makeOpId,
  type AuthResult,
  type BalanceStore,
} from '../balance/index.js';
import { currencyInfo } from '../catalog/schema.js';
import { ResultCode } from '../errors/result-codes.js';
import { priceOf } from '../rating/tariff.js';
import type { Rating } from '../rating/types.js';
import type { AccountView } from '../balance/index.js';
import type { ChargingEngine } from './engine.js';
import type { ServiceSettings } from './settings.js';
import { ChargingRefusal, refusalOf } from './outcome.js';
import { byRatingGroup, chargedService, grantedUnits, unitsOf, type ServiceKind } from './service-kind.js';
import { isRepeat, type SessionRecord } from './sessions.js';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  RequestedAction,
  ServiceCreditAnswer,
  ServiceCreditRequest,
  ServiceUnits,
} from './types.js';

/**
 * CCR-Event (RFC 4006 §6.3-§6.5, §8.41): one-shot charging. DIRECT_DEBITING charges now (SMS
 * is charged this way), REFUND_ACCOUNT gives money back, CHECK_BALANCE and PRICE_ENQUIRY
 * answer without moving money. A retransmitted event gets its first answer again.
 */
export async function handleEvent(
  engine: ChargingEngine,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const { store, sessions, settings } = engine.deps;
  const msisdn = await engine.servedAccount(request);
  const previous = await sessions.load(msisdn, request.sessionId);
  if (previous && isRepeat(previous, request)) return previous.lastAnswer;

  const now = engine.now();
  const action: RequestedAction = request.requestedAction ?? 'direct-debiting';
  const account = await authenticateFor(store, msisdn, now, action);
  const record: SessionRecord = {
    sessionId: request.sessionId,
    msisdn,
    kind,
    tariff: account.tariff,
    currency: account.currency,
    state: 'closed',
    lastNumber: request.requestNumber,
    lastAnswer: { resultCode: ResultCode.SUCCESS, services: [] },
    startedAt: now,
    updatedAt: now,
    reserved: [],
    used: {},
    amounts: {},
    levels: [],
    closeReason: 'event',
  };
  const single = request.services.length === 0;
  const services: ServiceCreditRequest[] = single
    ? [
        {
          ratingGroup: 0,
          serviceIdentifiers: request.serviceIdentifier === undefined ? [] : [request.serviceIdentifier],
          ...(request.requested ? { requested: request.requested } : {}),
          used: [],
        },
      ]
    : byRatingGroup(request.services);

  const rate = (service: ServiceCreditRequest): Promise<Rating> =>
    engine.deps.rater.rate({
      msisdn,
      tariffId: account.tariff,
      service: chargedService(kind, request, service.ratingGroup ?? 0),
      request,
    });
  // RFC 4006 §8.41: an event charges, refunds or prices what its Requested-Service-Unit names.
  const unitsWanted = (requested: ServiceUnits | undefined) =>
    eventUnits(kind, action, requested, settings[kind]);

  let answer: CreditControlAnswer;
  if (!account.prepaid) {
    for (const s of services) record.used[s.ratingGroup ?? 0] = unitsWanted(s.requested);
    record.closeReason = 'postpaid';
    answer = {
      resultCode: ResultCode.CREDIT_CONTROL_NOT_APPLICABLE,
      services: [],
      errorMessage: 'subscriber is not prepaid',
    };
  } else if (action === 'direct-debiting') {
    const answers: ServiceCreditAnswer[] = [];
    let firstRefusal: ChargingRefusal | undefined;
    for (const s of services) {
      const base: ServiceCreditAnswer = { resultCode: ResultCode.SUCCESS };
      if (!single && s.ratingGroup !== undefined) base.ratingGroup = s.ratingGroup;
      if (s.serviceIdentifiers.length) base.serviceIdentifiers = s.serviceIdentifiers;
      try {
        const units = unitsWanted(s.requested);
        const rating = await rate(s);
        const debit = await store.directDebit({
          opId: makeOpId(request.sessionId, request.requestNumber, `debit:${s.ratingGroup ?? 0}`),
          msisdn,
          sessionId: request.sessionId,
          ratingGroup: s.ratingGroup ?? 0,
          tiers: rating.tiers,
          units,
          nowMs: now,
        });
        record.used[s.ratingGroup ?? 0] = debit.charged;
        for (const [bucket, amount] of Object.entries(debit.amounts))
          record.amounts[bucket] = (record.amounts[bucket] ?? 0) + amount;
        if (!record.levels.includes(rating.level)) record.levels.push(rating.level);
        answers.push({ ...base, granted: grantedUnits(kind, units) });
      } catch (err) {
        const refusal = refusalOf(err);
        if (!refusal) throw err;
        firstRefusal ??= refusal;
        answers.push({ ...base, resultCode: refusal.resultCode });
      }
    }
    answer = eventAnswer(answers, single);
    if (answer.resultCode !== ResultCode.SUCCESS && firstRefusal) {
      answer.errorMessage = firstRefusal.message;
      if (firstRefusal.failedAvp) answer.failedAvp = firstRefusal.failedAvp;
    }
    const charged = record.amounts[MONEY] ?? 0;
    if (answer.resultCode === ResultCode.SUCCESS) answer.costInformation = cost(charged, account.currency);
  } else {
    let price = 0;
    let refused: ChargingRefusal | undefined;
    // An enquiry is priced against the free credit the account still has; a refund is not.
    const available =
      action === 'refund-account' ? undefined : availableByBucket(await store.getAccount(msisdn));
    for (const s of services) {
      try {
        const money = s.requested?.money;
        const units = money ? 0 : unitsWanted(s.requested);
        const rating = await rate(s);
        price += money
          ? moneyInMinorUnits(money.valueDigits, money.exponent, account.currency)
          : priceOf(rating, units, available);
        if (!record.levels.includes(rating.level)) record.levels.push(rating.level);
      } catch (err) {
        refused = refusalOf(err);
        if (!refused) throw err;
      }
    }
    if (refused) answer = refused.toAnswer();
    else if (action === 'price-enquiry')
      answer = {
        resultCode: ResultCode.SUCCESS,
        services: [],
        costInformation: cost(price, account.currency),
      };
    else if (action === 'check-balance') {
      const spendable = account.available - account.minThreshold;
      answer = {
        resultCode: ResultCode.SUCCESS,
        services: [],
        checkBalanceResult: spendable >= Math.max(price, 1) ? 'enough-credit' : 'no-credit',
      };
    } else {
      if (price > 0) {
        await store.refund({
          opId: makeOpId(request.sessionId, request.requestNumber, 'refund'),
          msisdn,
          amount: price,
          nowMs: now,
          sessionId: request.sessionId,
        });
        record.amounts[MONEY] = -price;
      }
      answer = {
        resultCode: ResultCode.SUCCESS,
        services: [],
        costInformation: cost(price, account.currency),
      };
    }
  }
  record.action = action;
  // Enquiries move no money and leave no record.
  if (account.prepaid && (action === 'check-balance' || action === 'price-enquiry'))
    delete record.closeReason;
  return engine.finish(record, request, answer, 'closed');
}

/**
 * The authenticate step of an event. An account below its minimum threshold may not spend, but
 * it may still be refunded (RFC 4006 §6.4), have its balance checked (§6.5: NO_CREDIT, not a
 * refusal) and ask a price: for those actions only the threshold check is left out. Status and
 * validity still refuse every action (they are checked before the threshold).
 */
async function authenticateFor(
  store: BalanceStore,
  msisdn: string,
  now: number,
  action: RequestedAction,
): Promise<AuthResult> {
  try {
    return await store.authenticate(msisdn, now);
  } catch (err) {
    const belowThreshold = err instanceof BalanceError && err.code === BalanceCode.BELOW_MIN_THRESHOLD;
    if (!belowThreshold || action === 'direct-debiting') throw err;
    const view = await store.getAccount(msisdn);
    if (!view) throw err;
    const money = view.buckets[MONEY] ?? { available: 0, reserved: 0, spent: 0 };
    return {
      status: 'active',
      prepaid: view.prepaid,
      tariff: view.tariff,
      currency: view.currency,
      available: money.available,
      reserved: money.reserved,
      validUntil: view.validUntil,
      minThreshold: view.minThreshold,
    };
  }
}

/**
 * The service units an event is about. Without Requested-Service-Unit only an SMS (one
 * message by default) and a balance check (one unit: "is there any credit?") make sense; the
 * other actions must say how much (5005). Units of a kind the service is not rated in cannot
 * be priced (5031), rather than guessed.
 */
export function eventUnits(
  kind: ServiceKind,
  action: RequestedAction,
  requested: ServiceUnits | undefined,
  settings: ServiceSettings,
): number {
  const named = requested && Object.values(requested).some((v) => v !== undefined);
  if (!named) {
    if (kind === 'sms') return settings.defaultQuota;
    if (action === 'check-balance') return 1;
    throw new ChargingRefusal(
      ResultCode.MISSING_AVP,
      `${action} needs a Requested-Service-Unit saying how much`,
      'Requested-Service-Unit',
    );
  }
  const units = unitsOf(kind, requested);
  if (units === undefined) {
    throw new ChargingRefusal(
      ResultCode.RATING_FAILED,
      `the Requested-Service-Unit names no ${kind === 'voice' ? 'CC-Time' : kind === 'data' ? 'octets' : 'CC-Service-Specific-Units'}, which ${kind} is rated in`,
    );
  }
  return Math.min(units, settings.maxQuota);
}

function availableByBucket(view: AccountView | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [bucket, b] of Object.entries(view?.buckets ?? {})) out[bucket] = b.available;
  return out;
}

function eventAnswer(services: ServiceCreditAnswer[], single: boolean): CreditControlAnswer {
  const failed = services.filter((s) => s.resultCode !== ResultCode.SUCCESS);
  const resultCode =
    failed.length === services.length && failed[0] ? failed[0].resultCode : ResultCode.SUCCESS;
  if (!single) return { resultCode, services };
  const answer: CreditControlAnswer = { resultCode, services: [] };
  if (services[0]?.granted) answer.granted = services[0].granted;
  return answer;
}

/** Cost-Information in the currency's minor units (RFC 4006 §8.7: value digits × 10^exponent). */
function cost(minorUnits: number, currency: string) {
  const { numeric, digits } = currencyInfo(currency || 'XXX');
  return { valueDigits: minorUnits, exponent: -digits, currencyCode: numeric };
}

/** A CC-Money amount in the currency's minor units; a fraction of a minor unit is refused. */
function moneyInMinorUnits(valueDigits: bigint, exponent: number, currency: string): number {
  const { digits } = currencyInfo(currency || 'XXX');
  const shift = exponent + digits;
  const scaled = shift >= 0 ? valueDigits * 10n ** BigInt(shift) : valueDigits / 10n ** BigInt(-shift);
  if (shift < 0 && scaled * 10n ** BigInt(-shift) !== valueDigits) {
    throw new ChargingRefusal(ResultCode.INVALID_AVP_VALUE, 'CC-Money is finer than the currency minor unit');
  }
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ChargingRefusal(ResultCode.INVALID_AVP_VALUE, 'CC-Money too large');
  return Number(scaled);
}
