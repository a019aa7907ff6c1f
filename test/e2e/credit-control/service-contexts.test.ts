/**
 * Clients that do not send TS 32.299's Service-Context-Ids (open5gs' SMF sends
 * `open5gs-smfd@open5gs.org`): charged as the service the operator names in `serviceContexts`,
 * refused 5031 otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcSession, MiB, mscc, octets, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';

const OPEN5GS = 'open5gs-smfd@open5gs.org';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({ settings: { serviceContexts: { 'Open5GS-SMFD@open5gs.org': 'data' } } });
});
afterAll(() => ocs.close());

describe('serviceContexts', () => {
  it('charges a named Service-Context-Id as its service, whatever its case', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, OPEN5GS, msisdn);
    const i = await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
    expect(i.get('Result-Code')).toBe(2001);
    // Rating group 10 of the fixture's tariff: 0.30 per started MiB.
    expect(await ocs.balance(msisdn)).toEqual({ available: 9940, reserved: 60, spent: 0 });
    const t = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(t.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 0, spent: 30 });
  });

  it('still answers 5031 to a Service-Context-Id nobody named', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, 'other-smf@example.org', msisdn);
    expect((await s.initial([mscc(10, { rsu: [octets(MiB)] })])).get('Result-Code')).toBe(5031);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });
});
