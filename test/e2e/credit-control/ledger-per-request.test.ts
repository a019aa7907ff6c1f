/**
 * The ledger a data session leaves over Diameter: each CCR-U and CCR-T of one rating group is one
 * settle and leaves one entry, whose deltas are what the account's buckets did, the bundle's and
 * the money's alike (DESIGN §2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketView, LedgerEntry } from '../../../src/balance/index.js';
import {
  ADMIN_TOKEN,
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;

beforeAll(async () => {
  ocs = await startOcs({ settings: { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 } } });
  await ocs.provision(`
bundles:
  - id: data-1m
    fee: 200
    units: { octets: ${MiB} }
    appliesTo: { service: data, ratingGroups: ['10'] }
    validity: { days: 30 }
`);
});
afterAll(() => ocs.close());

async function buckets(msisdn: string): Promise<Record<string, BucketView>> {
  return (await ocs.server.store.getAccount(msisdn))!.buckets;
}

/** Runs `request` and returns the ledger entries it wrote and each bucket's change. */
async function written(msisdn: string, request: () => Promise<unknown>) {
  const before = await buckets(msisdn);
  const ledgerBefore = await ocs.server.store.readLedger(msisdn, { count: 1000 });
  await request();
  const after = await buckets(msisdn);
  const entries: LedgerEntry[] = (await ocs.server.store.readLedger(msisdn, { count: 1000 })).slice(
    ledgerBefore.length,
  );
  const changes: Record<string, BucketView> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[name] ?? { available: 0, reserved: 0, spent: 0 };
    const is = after[name] ?? { available: 0, reserved: 0, spent: 0 };
    const change = {
      available: is.available - was.available,
      reserved: is.reserved - was.reserved,
      spent: is.spent - was.spent,
    };
    if (change.available !== 0 || change.reserved !== 0 || change.spent !== 0) changes[name] = change;
  }
  return { entries, changes };
}

describe('the ledger of a data session', () => {
  it('is one entry per CCR-U and CCR-T, its deltas each bucket of the account as it changed', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const bought = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/v1/accounts/${msisdn}/bundles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bundle: 'data-1m', reference: 'order-1' }),
    });
    expect(bought.status).toBe(201);
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);

    // The bundle's megabyte used, the next grant from money.
    const update = await written(msisdn, () =>
      s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]),
    );
    expect(Object.keys(update.changes)).toHaveLength(2);
    expect(update.entries).toHaveLength(1);
    expect(update.entries[0]).toMatchObject({
      op: 'settle',
      session: s.id,
      ratingGroup: 10,
      deltas: update.changes,
      extra: { used: String(MiB), uncharged: '0' },
    });
    expect(Number(update.entries[0]!.extra.granted)).toBeGreaterThan(0);

    const end = await written(msisdn, () => s.terminate([mscc(10, { usu: [[octets(MiB)]] })]));
    expect(end.entries).toHaveLength(1);
    expect(end.entries[0]).toMatchObject({
      op: 'settle',
      deltas: end.changes,
      extra: { used: String(MiB), uncharged: '0', granted: '0' },
    });
    expect((await buckets(msisdn)).money).toMatchObject({ reserved: 0 });
  });
});
