import { dialledNumber, normalise, type NumberingPlan } from '../rating/numbering.js';
import type { Call } from '../rating/rater.js';
import type { Rating } from '../rating/types.js';
import { chargedService, type ServiceKind } from './service-kind.js';
import type { SessionRecord } from './session-record.js';
import type { CreditControlRequest } from './types.js';

type Parties = Pick<SessionRecord, 'callingParty' | 'calledParty' | 'role'>;

/** Calling and called party of a voice leg, as international numbers when they are numbers. */
export function partiesOf(request: CreditControlRequest, plan: NumberingPlan): Parties {
  const ims = request.ims;
  if (!ims) return {};
  const number = (address: string) => {
    const dialled = dialledNumber(address);
    return dialled ? normalise(dialled, plan) : address;
  };
  const parties: Parties = {};
  if (ims.callingPartyAddress) parties.callingParty = number(ims.callingPartyAddress);
  if (ims.calledPartyAddresses[0]) parties.calledParty = number(ims.calledPartyAddresses[0]);
  if (ims.roleOfNode) parties.role = ims.roleOfNode;
  return parties;
}

/**
 * The leg of `request` that `msisdn` is charged for, with the other party as signalled: the
 * called party of an originating leg (an SMS is always one), the caller of a terminating one.
 */
export function callOf(
  msisdn: string,
  kind: ServiceKind,
  request: CreditControlRequest,
  atMs: number,
  ratingGroup = 0,
): Call {
  const service = chargedService(kind, request, ratingGroup);
  const terminating = service.kind === 'voice' && service.role === 'terminating';
  const otherAddress = terminating ? request.ims?.callingPartyAddress : request.ims?.calledPartyAddresses[0];
  // A data session is priced by where it is (DESIGN §3, Data): its APN and serving network.
  const when =
    kind === 'data'
      ? { atMs, apn: request.ps?.calledStationId, sgsnMccMnc: request.ps?.sgsnMccMnc }
      : { atMs };
  return { served: msisdn, service, otherAddress, when };
}

/**
 * The CDR names the other party by the number it was rated as (a short number resolved), and
 * the tariff destination it matched.
 */
export function recordOtherParty(record: SessionRecord, request: CreditControlRequest, rating: Rating): void {
  if (rating.destination !== undefined) record.destination = rating.destination;
  if (request.ims?.roleOfNode === 'terminating') {
    // The called party is the served account, however the caller dialled it.
    record.calledParty = record.msisdn;
    if (rating.otherParty) record.callingParty = rating.otherParty;
  } else if (rating.otherParty) {
    record.calledParty = rating.otherParty;
  }
}
