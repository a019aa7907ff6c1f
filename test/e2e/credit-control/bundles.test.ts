/**
 * Bundles end to end (DESIGN §3, Bundles): a data bundle bought over the admin API, then a Gy
 * session over loopback that starts on the bundle and crosses into money within one grant, every
 * bucket of the account checked after each CCR; and the balance enquiries counting the bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketView } from '../../../src/balance/index.js';
import {
  ACTION,
  ADMIN_TOKEN,
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

const SETTINGS = { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 1800 } };

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({ settings: SETTINGS });
  await ocs.provision(`
bundles:
  - id: data-3m
    fee: 200
    units: { octets: ${3 * MiB} }
    appliesTo: { service: data, ratingGroups: ['10'] }
    validity: { days: 30 }
`);
});
afterAll(() => ocs.close());

async function buy(msisdn: string, reference: string) {
  const res = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/v1/accounts/${msisdn}/bundles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bundle: 'data-3m', reference }),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { bundle: { bucket: string } },
  };
}

const b = (available: number, reserved: number, spent: number): BucketView => ({
  available,
  reserved,
  spent,
});

/** The Granted-Service-Unit octets of the answer's only MSCC. */
function grantedOctets(answer: Awaited<ReturnType<CcSession['initial']>>): number | undefined {
  const m = shape(answer).find(([name]) => name === 'Multiple-Services-Credit-Control')?.[1] as [
    string,
    unknown,
  ][];
  const gsu = m?.find(([name]) => name === 'Granted-Service-Unit')?.[1] as [string, number][] | undefined;
  return gsu?.find(([name]) => name === 'CC-Total-Octets')?.[1];
}

describe('a data session on a bundle', () => {
  it('takes the bundle first and crosses into money without a gap, every bucket exact after each CCR', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const bought = await buy(msisdn, 'order-7');
    expect(bought.status).toBe(201);
    const bundle = bought.body.bundle.bucket;
    const buckets = async () => (await ocs.server.store.getAccount(msisdn))!.buckets;
    expect(await buckets()).toEqual({ money: b(800, 0, 200), [bundle]: b(3 * MiB, 0, 0) });
    // The same reference again buys nothing.
    expect((await buy(msisdn, 'order-7')).status).toBe(200);
    expect(await buckets()).toEqual({ money: b(800, 0, 200), [bundle]: b(3 * MiB, 0, 0) });

    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    // CCR-I asks 2 MiB: all of it from the bundle.
    const i = await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
    expect(grantedOctets(i)).toBe(2 * MiB);
    expect(await buckets()).toEqual({ money: b(800, 0, 200), [bundle]: b(MiB, 2 * MiB, 0) });

    // CCR-U: 2 MiB used; the new grant of 2 MiB is the last MiB of the bundle and 1 MiB of money (0.30).
    ocs.clock.advance(60);
    const u1 = await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(2 * MiB)]] })]);
    expect(grantedOctets(u1)).toBe(2 * MiB);
    expect(await buckets()).toEqual({ money: b(770, 30, 200), [bundle]: b(0, MiB, 2 * MiB) });

    // CCR-U: 1.5 MiB used: the bundle's MiB, then a started MiB of money; the new grant is money only.
    ocs.clock.advance(60);
    const u2 = await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(1.5 * MiB)]] })]);
    expect(grantedOctets(u2)).toBe(2 * MiB);
    expect(await buckets()).toEqual({ money: b(710, 60, 230), [bundle]: b(0, 0, 3 * MiB) });

    // CCR-T: 0.5 MiB used, one started MiB of money; the rest comes back.
    ocs.clock.advance(60);
    const t = await s.terminate([mscc(10, { usu: [[octets(0.5 * MiB)]] })]);
    expect(t.errorBit).toBe(false);
    expect(await buckets()).toEqual({ money: b(740, 0, 260), [bundle]: b(0, 0, 3 * MiB) });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ amounts: { money: 60, [bundle]: 3 * MiB } });
  });

  it('a bundle bought on one instance is used by the next CCR on another that had cached none', async () => {
    const second = await ocs.secondInstance();
    const msisdn = await ocs.account({ balance: 1000 });
    // The second instance rates a grant of the account without a bundle, and so caches none.
    const before = new CcSession(ocs, CONTEXT.data, msisdn);
    await before.initial([mscc(10, { rsu: [octets(MiB)] })], second.peer);
    await before.terminate([mscc(10, { usu: [[octets(MiB)]] })], second.peer);
    expect(await ocs.balance(msisdn)).toEqual(b(970, 0, 30));

    const bundle = (await buy(msisdn, 'order-10')).body.bundle.bucket;
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })], second.peer);
    expect((await ocs.server.store.getAccount(msisdn))!.buckets).toEqual({
      money: b(770, 0, 230),
      [bundle]: b(MiB, 2 * MiB, 0),
    });
    await s.terminate([mscc(10, { usu: [[octets(2 * MiB)]] })], second.peer);
  });

  it('uses money only once the bundle has ended', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const bundle = (await buy(msisdn, 'order-8')).body.bundle.bucket;
    ocs.clock.advance(30 * 86_400);
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    expect((await ocs.server.store.getAccount(msisdn))!.buckets).toEqual({
      money: b(770, 30, 200),
      [bundle]: b(3 * MiB, 0, 0),
    });
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
  });

  it('counts the bundle in CHECK_BALANCE and PRICE_ENQUIRY', async () => {
    const msisdn = await ocs.account({ balance: 200 });
    await buy(msisdn, 'order-9');
    const event = (action: number, units: number) =>
      new CcSession(ocs, CONTEXT.data, msisdn).next('event', [
        ['Requested-Action', action],
        mscc(10, { rsu: [octets(units)] }),
      ]);
    // Money is all spent on the fee: the bundle alone answers.
    const check = shape(await event(ACTION.checkBalance, 2 * MiB));
    expect(check).toContainEqual(['Check-Balance-Result', 0]);
    const price = shape(await event(ACTION.priceEnquiry, 4 * MiB));
    expect(price).toContainEqual([
      'Cost-Information',
      [
        [
          'Unit-Value',
          [
            ['Value-Digits', 30],
            ['Exponent', -2],
          ],
        ],
        ['Currency-Code', 156],
      ],
    ]);
  });
});
