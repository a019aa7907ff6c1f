import { readAddress, readText, readUnsigned32 } from './avp-value.js';
import { groupMembers } from './decode.js';
import type { Avps } from './avps.js';
import { APPLICATION } from './avps.js';
import type { Avp } from './message.js';

/** A peer's CER (RFC 6733 §5.3.1), decoded. */
export interface CapabilitiesRequest {
  originHost: string;
  originRealm: string;
  hostIpAddresses: string[];
  vendorId: number;
  productName: string;
  authApplicationIds: number[];
  acctApplicationIds: number[];
  supportedVendorIds: number[];
}

/** Decodes a validated CER; values were checked by the validator, so reads cannot fail. */
export function decodeCapabilities(avps: Avps, message: readonly Avp[]): CapabilitiesRequest {
  const cer: CapabilitiesRequest = {
    originHost: '',
    originRealm: '',
    hostIpAddresses: [],
    vendorId: 0,
    productName: '',
    authApplicationIds: [],
    acctApplicationIds: [],
    supportedVendorIds: [],
  };
  for (const a of message) {
    if (a.vendorId !== 0) continue;
    switch (a.code) {
      case avps.originHost.code:
        cer.originHost = readText(a);
        break;
      case avps.originRealm.code:
        cer.originRealm = readText(a);
        break;
      case avps.hostIpAddress.code:
        cer.hostIpAddresses.push(readAddress(a));
        break;
      case avps.vendorId.code:
        cer.vendorId = readUnsigned32(a);
        break;
      case avps.productName.code:
        cer.productName = readText(a);
        break;
      case avps.authApplicationId.code:
        cer.authApplicationIds.push(readUnsigned32(a));
        break;
      case avps.acctApplicationId.code:
        cer.acctApplicationIds.push(readUnsigned32(a));
        break;
      case avps.supportedVendorId.code:
        cer.supportedVendorIds.push(readUnsigned32(a));
        break;
      case avps.vendorSpecificApplicationId.code:
        // RFC 6733 §6.11: the application ids inside count as advertised applications.
        for (const m of groupMembers(a)) {
          if (m.vendorId !== 0) continue;
          if (m.code === avps.authApplicationId.code) cer.authApplicationIds.push(readUnsigned32(m));
          else if (m.code === avps.acctApplicationId.code) cer.acctApplicationIds.push(readUnsigned32(m));
        }
        break;
    }
  }
  return cer;
}

/** The applications both sides support (RFC 6733 §5.3: Relay matches every application). */
export function commonApplications(cer: CapabilitiesRequest, ours: readonly number[]): number[] {
  if (cer.authApplicationIds.includes(APPLICATION.RELAY)) return [...ours];
  return ours.filter((id) => cer.authApplicationIds.includes(id));
}
