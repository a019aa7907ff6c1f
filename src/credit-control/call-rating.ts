import type { ResolvedCall } from '../rating/rater.js';
import type { Rating } from '../rating/types.js';
import type { Charging } from './context.js';
import { callOf } from './parties.js';
import { refusalOf, type ChargingRefusal } from './refusals.js';
import { chargedService, type ServiceKind } from './service-kind.js';
import type { CreditControlRequest } from './types.js';

/** When a rating group is priced: the moment (default now) and how long a grant lasts (ms). */
export interface RatingTime {
  atMs?: number;
  windowMs?: number;
}

/**
 * The rating of one request's leg: the VPN logic (short-number resolution, VPN authentication)
 * runs once, when first needed or when asked for first (DESIGN §2: before the prepaid check),
 * and each rating group is then priced under the account's tariff. A VPN refusal is thrown by
 * every `rate`, so that each service of the request reports it as its own Result-Code.
 */
export class CallRating {
  private resolution: Promise<ResolvedCall> | undefined;

  constructor(
    private readonly charging: Charging,
    private readonly msisdn: string,
    private readonly kind: ServiceKind,
    private readonly request: CreditControlRequest,
  ) {}

  /** Runs the VPN logic now; its refusal, if any, is returned rather than thrown. */
  async vpnRefusal(): Promise<ChargingRefusal | undefined> {
    try {
      await this.resolved();
      return undefined;
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      return refusal;
    }
  }

  /**
   * The rating group's price at `at.atMs` (default now). With `at.windowMs`, the time a grant
   * may be used, a change of price within it comes with the rating (RFC 4006 §8.20).
   */
  async rate(ratingGroup: number, tariffId: string, at: RatingTime = {}): Promise<Rating> {
    const call = await this.resolved();
    return this.charging.rater.rate(
      {
        ...call,
        service: chargedService(this.kind, this.request, ratingGroup),
        when: { ...call.when, atMs: at.atMs ?? this.charging.now(), windowMs: at.windowMs ?? 0 },
      },
      tariffId,
    );
  }

  private resolved(): Promise<ResolvedCall> {
    this.resolution ??= this.charging.rater.resolve(
      callOf(this.msisdn, this.kind, this.request, this.charging.now()),
    );
    return this.resolution;
  }
}
