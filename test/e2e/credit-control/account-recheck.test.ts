/**
 * The account is checked again on every CCR-U and CCR-T, in the script that settles the usage
 * (RFC 4006 §5.1.2): blocked, lost or expired during a session, its usage is charged, its
 * reservation returned and it gets no new grant, 4010 in the MSCC with 2001 for the command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  ccaHead,
  mscc,
  msccResults,
  octets,
  seconds,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({ settings: { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 } } });
});
afterAll(() => ocs.close());

/** A data session holding 2 MiB on RG 10 (0.60) of an account with 10.00, then `status`. */
async function sessionThen(patch: { status?: 'blocked' | 'lost'; validUntil?: number }) {
  const msisdn = await ocs.account({ balance: 1000 });
  const s = new CcSession(ocs, CONTEXT.data, msisdn);
  await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
  expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 60, spent: 0 });
  await ocs.server.store.upsertAccount({ msisdn, ...patch });
  return { msisdn, s };
}

describe('a CCR-U after the account changed', () => {
  it.each(['blocked', 'lost'] as const)(
    'of a %s account: usage charged, no new grant, 4010 in the MSCC, reservation returned',
    async (status) => {
      const { msisdn, s } = await sessionThen({ status });
      const answer = await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]);
      expect(shape(answer)).toEqual([
        ...ccaHead(s.id, 2001, 'update', 1),
        [
          'Multiple-Services-Credit-Control',
          [
            ['Rating-Group', 10],
            ['Result-Code', 4010],
          ],
        ],
      ]);
      expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
      expect(await ocs.server.store.listReservations(msisdn)).toEqual([]);

      const end = await s.terminate([mscc(10, { usu: [[octets(0)]] })]);
      expect(end.get('Result-Code')).toBe(2001);
      expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
      expect((await ocs.cdrs(msisdn))[0]).toMatchObject({ reason: 'termination', amounts: { money: 30 } });
    },
  );

  it('past its validity: denied in the MSCC the same way', async () => {
    const { msisdn, s } = await sessionThen({ validUntil: Math.floor(ocs.clock.ms / 1000) });
    const answer = await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(msccResults(answer)).toEqual([4010]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
  });

  it('of a blocked account whose last grant had run out (no reservation): still no grant', async () => {
    const msisdn = await ocs.account({ balance: 30 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    const dry = await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    expect(msccResults(dry)).toEqual([4012]);
    await ocs.server.store.topup({ opId: 'recheck-topup', msisdn, amount: 1000, nowMs: ocs.clock.ms });
    await ocs.server.store.upsertAccount({ msisdn, status: 'blocked' });
    const answer = await s.update([mscc(10, { rsu: [octets(MiB)] })]);
    expect(msccResults(answer)).toEqual([4010]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 30 });
  });

  it('without MSCC (a voice call) the 4010 is the command Result-Code', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    await s.initial([['Requested-Service-Unit', [seconds(120)]]]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 30, spent: 0 });
    await ocs.server.store.upsertAccount({ msisdn, status: 'blocked' });
    const answer = await s.update([
      ['Requested-Service-Unit', [seconds(120)]],
      ['Used-Service-Unit', [seconds(60)]],
    ]);
    expect(answer.get('Result-Code')).toBe(4010);
    expect(answer.get('Granted-Service-Unit')).toBeUndefined();
    expect(await ocs.balance(msisdn)).toEqual({ available: 985, reserved: 0, spent: 15 });
  });
});
