import { CallRating } from '../call-rating.js';
import type { Charging } from '../context.js';
import { postpaidAnswer, recordPostpaidUsage } from '../postpaid.js';
import { isCommandLevel, requestedServices } from '../requested-services.js';
import type { ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { servedAccount } from '../session-lookup.js';
import { isRepeat, newSessionRecord } from '../session-record.js';
import type { CreditControlAnswer, CreditControlRequest, RequestedAction } from '../types.js';
import { authenticateFor } from './authenticate.js';
import { directDebit } from './direct-debit.js';
import { checkBalance, priceEnquiry } from './enquiries.js';
import type { ChargeableEvent, EventAction } from './event.js';
import { refund } from './refund.js';
import { eventUnits } from './units.js';

const ACTIONS: Record<RequestedAction, EventAction> = {
  'direct-debiting': directDebit,
  'refund-account': refund,
  'check-balance': checkBalance,
  'price-enquiry': priceEnquiry,
};

/**
 * CCR-Event (RFC 4006 §6.3-§6.5): one-shot charging by its Requested-Action, direct debiting
 * when it names none (an SMS). The VPN logic runs before the account is checked (DESIGN §2);
 * a postpaid account is answered 4011 with its usage recorded and priced. A retransmitted
 * event gets its first answer again.
 */
export async function chargeEvent(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const msisdn = await servedAccount(charging, request);
  const previous = await charging.sessions.load(msisdn, request.sessionId);
  if (previous && isRepeat(previous, request)) return previous.lastAnswer;

  const now = charging.now();
  const action: RequestedAction = request.requestedAction ?? 'direct-debiting';
  const callRating = new CallRating(charging, msisdn, kind, request);
  const vpnRefusal = await callRating.vpnRefusal();
  const account = await authenticateFor(charging, msisdn, now, action).catch((err: unknown) => {
    throw vpnRefusal ?? err;
  });
  const record = newSessionRecord({ request, msisdn, kind, account, now });
  const services = requestedServices(request).map((s) => ({ ...s, used: [] }));
  let answer: CreditControlAnswer;
  if (!account.prepaid) {
    const usage = services.map((s) => ({
      ratingGroup: s.ratingGroup ?? 0,
      units: eventUnits(kind, action, s.requested, charging.settings[kind]),
    }));
    await recordPostpaidUsage(record, request, callRating, usage);
    answer = postpaidAnswer();
  } else {
    const event: ChargeableEvent = {
      charging,
      kind,
      request,
      msisdn,
      now,
      action,
      account,
      record,
      services,
      commandLevel: isCommandLevel(request),
      callRating,
    };
    answer = await ACTIONS[action](event);
    // Enquiries move no money and leave no record.
    if (action === 'check-balance' || action === 'price-enquiry') delete record.closeReason;
  }
  record.action = action;
  return saveAfterRequest(charging, record, request, answer, 'closed');
}
