import { GuardFailedError, type AuthResult } from '../../balance/index.js';
import { ResultCode } from '../../errors/result-codes.js';
import { CallRating } from '../call-rating.js';
import type { Charging } from '../context.js';
import { partiesOf } from '../parties.js';
import { postpaidAnswer, recordPostpaidUsage } from '../postpaid.js';
import { commandAnswer, isCommandLevel, requestedServices } from '../requested-services.js';
import { chargeAndGrant } from '../service-credit.js';
import { unitsOf, type ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { planCarry } from '../session-carry.js';
import { isReplay, servedAccount, repeatOrRefuse } from '../session-lookup.js';
import { newSessionRecord } from '../session-record.js';
import type { CreditControlAnswer, CreditControlRequest, ServiceCreditAnswer } from '../types.js';

/**
 * CCR-I (RFC 4006 §5.1.2): the VPN logic, then authenticate and apply (DESIGN §2): the call's
 * other party is resolved and VPN-authenticated first, then the account is checked, then each
 * rating group is rated and its grant frozen. A user without the prepaid service is recorded
 * and answered 4011.
 *
 * A session opened with one rating group is two Redis commands, authenticate and the apply
 * carrying the record (DESIGN §5): the record is not read first, as the apply is refused,
 * changing nothing, when the session has one (a retransmission or a duplicate), and the request
 * is then answered from it. Any other CCR-I, or one refused before its apply, reads the record
 * first, so that a retransmission gets its first answer and is charged nothing twice.
 */
export async function openSession(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const msisdn = await servedAccount(charging, request);
  if (requestedServices(request).length !== 1 || !charging.sessions.carries)
    return openReadFirst(charging, kind, request, msisdn);
  const now = charging.now();
  const callRating = new CallRating(charging, msisdn, kind, request);
  const vpnRefusal = await callRating.vpnRefusal();
  const account = await authenticate(charging, msisdn, now).catch(() => undefined);
  if (vpnRefusal || !account?.prepaid) return openReadFirst(charging, kind, request, msisdn);
  try {
    return await grant(charging, kind, request, {
      msisdn,
      now,
      account,
      callRating,
      replay: false,
      unread: true,
    });
  } catch (err) {
    if (!(err instanceof GuardFailedError)) throw err;
    return openReadFirst(charging, kind, request, msisdn);
  }
}

/** CCR-I with the session's record read first, at the same time as authenticate. */
async function openReadFirst(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
  msisdn: string,
): Promise<CreditControlAnswer> {
  const now = charging.now();
  // Both at once, one round trip less before the grant: the account check only reads, and
  // when the session exists (a retransmission) its answer goes back whatever the check says.
  const authenticated = authenticate(charging, msisdn, now);
  authenticated.catch(() => undefined);
  const existing = (await charging.sessions.read(msisdn, request.sessionId, true))?.record;
  const replay = existing !== undefined && isReplay(existing, request);
  if (existing && !replay) return repeatOrRefuse(existing, request);

  const callRating = new CallRating(charging, msisdn, kind, request);
  const vpnRefusal = await callRating.vpnRefusal();
  const account = await authenticated.catch((err: unknown) => {
    // VPN authentication comes before the prepaid check: its refusal is the answer.
    throw vpnRefusal ?? err;
  });
  if (!account.prepaid) {
    const record = recordOf(charging, kind, request, msisdn, account, now);
    const usage = requestedServices(request).map((s) => ({
      ratingGroup: s.ratingGroup ?? 0,
      units: [s.requested, ...s.used].reduce((sum, u) => sum + (u ? (unitsOf(kind, u) ?? 0) : 0), 0),
    }));
    await recordPostpaidUsage(record, request, callRating, usage);
    return saveAfterRequest(charging, record, request, postpaidAnswer(), 'closed');
  }
  return grant(charging, kind, request, { msisdn, now, account, callRating, replay, unread: false });
}

/** Authenticate, which also reads the account's bundles for rating: the grant reads none. */
async function authenticate(charging: Charging, msisdn: string, now: number): Promise<AuthResult> {
  const keep = charging.rater.bundlesReading?.(msisdn);
  const account = await charging.store.authenticate(msisdn, now);
  keep?.(account.bundles ?? {});
  return account;
}

interface Opening {
  msisdn: string;
  now: number;
  account: AuthResult;
  callRating: CallRating;
  /** A retransmission run again on the record its first apply wrote: nothing is written. */
  replay: boolean;
  /** The session's record was not read first: only an apply carrying the write may open it. */
  unread: boolean;
}

/** The grants of a prepaid account's CCR-I, and the session saved with its answer. */
async function grant(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
  { msisdn, now, account, callRating, replay, unread }: Opening,
): Promise<CreditControlAnswer> {
  const record = recordOf(charging, kind, request, msisdn, account, now);
  const answers: ServiceCreditAnswer[] = [];
  const services = requestedServices(request);
  // A session opened with one rating group is one charging call, which can carry its record
  // (refused, changing nothing, if the session has one already).
  const carry = services.length === 1 && !replay ? planCarry(charging, request, 'open', 'absent') : undefined;
  for (const service of services) {
    const usage = { used: 0, settle: false, ...(carry ? { carry } : {}) };
    answers.push(await chargeAndGrant(charging, kind, record, request, callRating, service, usage));
  }
  // No apply was made (the rating refused): the record is written on its own, which may not
  // replace one (a retransmission), so that case goes the way of a record read first.
  if (unread && !carry?.offered() && (await charging.sessions.read(msisdn, request.sessionId, true)))
    throw new GuardFailedError('the session record exists');
  const answer = commandAnswer(answers, isCommandLevel(request));
  const success = answer.resultCode === ResultCode.SUCCESS;
  if (success) answer.creditControlFailureHandling = charging.settings.creditControlFailureHandling;
  return saveAfterRequest(charging, record, request, answer, success ? 'open' : 'closed', {
    ...(carry ? { carried: carry } : {}),
    replay,
  });
}

function recordOf(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
  msisdn: string,
  account: AuthResult,
  now: number,
) {
  return newSessionRecord({
    request,
    msisdn,
    kind,
    account,
    now,
    parties: partiesOf(request, charging.settings.numbering),
  });
}
