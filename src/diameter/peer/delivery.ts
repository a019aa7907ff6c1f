import type { ErrorDetail, LocalIdentity } from '../answers.js';
import { readText } from '../avp-value.js';
import type { Avps } from '../avps.js';
import { ResultCode } from '../../errors/result-codes.js';
import type { Avp } from '../message.js';

/**
 * Whether a request that reached us, possibly through relays and proxies, is ours to serve.
 * This server is not an agent: it forwards nothing, so a request it may not serve itself is
 * answered at once with a protocol error and never reaches the application.
 */
export class LocalDelivery {
  /** DiameterIdentity is an FQDN (RFC 6733 §4.3.1), so it compares without regard to case. */
  private readonly ownHost: string;
  private readonly ownRealm: string;

  constructor(
    private readonly avps: Avps,
    identity: LocalIdentity,
  ) {
    this.ownHost = identity.originHost.toLowerCase();
    this.ownRealm = identity.originRealm.toLowerCase();
  }

  /**
   * The refusal of a request not to be served here, or undefined for one that is:
   * - 3005 LOOP_DETECTED when a Route-Record names us: the request already passed through
   *   this host (RFC 6733 §6.1.3, §6.7.1);
   * - 3002 UNABLE_TO_DELIVER when Destination-Host names another host: the request is for
   *   local consumption only when Destination-Host is ours or absent (§6.1.4), and we
   *   cannot forward it (§7.1.3);
   * - 3003 REALM_NOT_SERVED when, without Destination-Host, Destination-Realm is not ours:
   *   such a request is for a node of that realm, which we neither are nor route to (§6.1.4).
   */
  refusal(requestAvps: readonly Avp[]): ErrorDetail | undefined {
    const { routeRecord, destinationHost, destinationRealm } = this.avps;
    let destination: Avp | undefined;
    let realm: Avp | undefined;
    for (const a of requestAvps) {
      if (a.vendorId !== 0) continue;
      if (a.code === routeRecord.code && this.isOwnHost(a)) {
        return {
          resultCode: ResultCode.LOOP_DETECTED,
          reason: `Route-Record names this host (${readText(a)}): the request loops`,
          failedAvp: a,
        };
      }
      if (a.code === destinationHost.code) destination ??= a;
      else if (a.code === destinationRealm.code) realm ??= a;
    }
    if (destination && !this.isOwnHost(destination)) {
      return {
        resultCode: ResultCode.UNABLE_TO_DELIVER,
        reason: `Destination-Host ${readText(destination)} is not this host; requests are not relayed`,
        failedAvp: destination,
      };
    }
    if (!destination && realm && readText(realm).toLowerCase() !== this.ownRealm) {
      return {
        resultCode: ResultCode.REALM_NOT_SERVED,
        reason: `Destination-Realm ${readText(realm)} is not this server's realm; requests are not relayed`,
        failedAvp: realm,
      };
    }
    return undefined;
  }

  private isOwnHost(identity: Avp): boolean {
    return readText(identity).toLowerCase() === this.ownHost;
  }
}
