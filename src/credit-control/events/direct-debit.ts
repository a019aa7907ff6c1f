import { DeadlinePassedError, MONEY, makeOpId } from '../../balance/index.js';
import { ResultCode } from '../../errors/result-codes.js';
import { deadlineOf } from '../deadline.js';
import { ChargingRefusal, refusalOf } from '../refusals.js';
import { commandAnswer } from '../requested-services.js';
import { grantedUnits } from '../service-kind.js';
import { addAmounts, noteLevel } from '../session-record.js';
import type { CreditControlAnswer, ServiceCreditAnswer } from '../types.js';
import { chargeKeptFor } from './charge-references.js';
import type { ChargeableEvent } from './event.js';
import { costInformation } from './money.js';
import { eventUnits } from './units.js';

/**
 * DIRECT_DEBITING (RFC 4006 §6.3): each service is rated and charged now, all or nothing per
 * service (an SMS is charged this way). A refused service reports its own Result-Code.
 */
export async function directDebit(event: ChargeableEvent): Promise<CreditControlAnswer> {
  const { charging, kind, request, msisdn, record, account } = event;
  const answers: ServiceCreditAnswer[] = [];
  let firstRefusal: ChargingRefusal | undefined;
  const keepChargeSeconds = chargeKeptFor(request, charging.settings.refunds);
  for (const s of event.services) {
    const rg = s.ratingGroup ?? 0;
    const base: ServiceCreditAnswer = { resultCode: ResultCode.SUCCESS };
    if (!event.commandLevel && s.ratingGroup !== undefined) base.ratingGroup = s.ratingGroup;
    if (s.serviceIdentifiers.length) base.serviceIdentifiers = s.serviceIdentifiers;
    try {
      const units = eventUnits(kind, event.action, s.requested, charging.settings[kind]);
      if (units === 0) {
        // Nothing to charge: granted as asked, without a store call (which takes whole units).
        answers.push({ ...base, granted: grantedUnits(kind, 0) });
        continue;
      }
      const rating = await event.callRating.rate(rg, account.tariff);
      const debit = await charging.store.directDebit({
        opId: makeOpId(request.sessionId, request.requestNumber, `debit:${rg}`),
        msisdn,
        sessionId: request.sessionId,
        ratingGroup: rg,
        tiers: rating.tiers,
        units,
        nowMs: event.now,
        ...deadlineOf(request),
        ...(keepChargeSeconds === undefined ? {} : { keepChargeSeconds }),
      });
      record.used[rg] = debit.charged;
      addAmounts(record, debit.amounts);
      noteLevel(record, rating.level);
      const charged: ServiceCreditAnswer = { ...base, granted: grantedUnits(kind, units) };
      if (debit.charge !== undefined) charged.refundInformation = debit.charge;
      answers.push(charged);
    } catch (err) {
      const refusal = refusalOf(err);
      // Past its deadline the client has stopped waiting: the request fails whole (5012).
      if (!refusal || err instanceof DeadlinePassedError) throw err;
      firstRefusal ??= refusal;
      answers.push({ ...base, resultCode: refusal.resultCode });
    }
  }
  const answer = commandAnswer(answers, event.commandLevel);
  const [only] = answers;
  if (event.commandLevel && only?.refundInformation !== undefined)
    answer.refundInformation = only.refundInformation;
  if (answer.resultCode !== ResultCode.SUCCESS && firstRefusal) {
    answer.errorMessage = firstRefusal.message;
    if (firstRefusal.failedAvp) answer.failedAvp = firstRefusal.failedAvp;
  }
  if (answer.resultCode === ResultCode.SUCCESS)
    answer.costInformation = costInformation(record.amounts[MONEY] ?? 0, account.currency);
  return answer;
}
