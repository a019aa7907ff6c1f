import type { AuthResult } from '../../balance/index.js';
import type { CallRating } from '../call-rating.js';
import type { Charging } from '../context.js';
import type { ServiceKind } from '../service-kind.js';
import type { SessionRecord } from '../session-record.js';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  RequestedAction,
  ServiceCreditRequest,
} from '../types.js';

/** A CCR-Event being answered: the request, the authenticated account and the record it leaves. */
export interface ChargeableEvent {
  charging: Charging;
  kind: ServiceKind;
  request: CreditControlRequest;
  msisdn: string;
  now: number;
  action: RequestedAction;
  account: AuthResult;
  record: SessionRecord;
  /** The request's services: its MSCCs, or one at command level. */
  services: ServiceCreditRequest[];
  commandLevel: boolean;
  callRating: CallRating;
}

/** One Requested-Action (RFC 4006 §8.41) of a prepaid account. */
export type EventAction = (event: ChargeableEvent) => Promise<CreditControlAnswer>;
