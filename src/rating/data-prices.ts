import type { Tariff } from '../catalog/schema.js';

type DataPrices = NonNullable<Tariff['data']>;
export type RatingGroupPrice = DataPrices['ratingGroups'][string];

/** Where a data session is: the APN it reaches and the network it is served by. */
export interface DataAccess {
  /** Called-Station-Id: the APN (TS 29.061), with or without its operator identifier. */
  apn?: string | undefined;
  /** 3GPP-SGSN-MCC-MNC of the serving network (TS 29.061 §16.4.7.2), 5 or 6 digits. */
  sgsnMccMnc?: string | undefined;
}

/** The price of a rating group and what chose it, for the CDR's level label. */
export interface DataPrice {
  price: RatingGroupPrice;
  /** `roaming-<zone>` or `apn-<apn>`; absent for the home price. */
  source?: string;
}

/**
 * A rating group's price (DESIGN §3, Data): a roaming zone that matches the serving network and
 * prices the group first (MCC and MNC before MCC alone), then the APN's price, then the
 * tariff's own. A zone or APN that does not price the group leaves it to the next.
 */
export function dataPrice(data: DataPrices, ratingGroup: number, access: DataAccess): DataPrice | undefined {
  const rg = String(ratingGroup);
  const zone = roamingZone(data, access.sgsnMccMnc);
  const roaming = zone?.ratingGroups[rg];
  if (zone && roaming) return { price: roaming, source: `roaming-${zone.name}` };
  const apn = apnKey(data, access.apn);
  const byApn = apn === undefined ? undefined : data.apns?.[apn]?.[rg];
  if (apn !== undefined && byApn) return { price: byApn, source: `apn-${apn}` };
  const home = data.ratingGroups[rg];
  return home ? { price: home } : undefined;
}

function roamingZone(data: DataPrices, mccMnc: string | undefined) {
  if (!mccMnc || !data.roaming) return undefined;
  const exact = data.roaming.find((z) => z.mccMnc.length > 3 && z.mccMnc === mccMnc);
  return exact ?? data.roaming.find((z) => z.mccMnc === mccMnc.slice(0, 3));
}

/**
 * The key of `apns` the session's APN names, compared without case (APNs are not case
 * sensitive, TS 23.003 §9.1): the whole Called-Station-Id, or its network identifier before
 * an operator identifier ('.mncXXX.mccYYY.gprs').
 */
function apnKey(data: DataPrices, apn: string | undefined): string | undefined {
  if (!apn || !data.apns) return undefined;
  const whole = apn.trim().toLowerCase();
  const network = whole.replace(/\.mnc\d{3}\.mcc\d{3}\.gprs$/, '');
  for (const key of Object.keys(data.apns)) {
    const k = key.toLowerCase();
    if (k === whole || k === network) return key;
  }
  return undefined;
}
