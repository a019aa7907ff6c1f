/**
 * Failed-AVP in answers from the charging logic (RFC 6733 §7.5): the offending AVP as
 * received for 5004, an example of the missing one for 5005.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION,
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  messages,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

describe('Failed-AVP of charging refusals', () => {
  it('puts the CC-Request-Number in Failed-AVP when it answers an out-of-order request 5004', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    const old = await ocs.send(s.build('update', [mscc(10, { rsu: [octets(MiB)] })], 1));
    expect(old.get('Result-Code')).toBe(5004);
    expect(old.get('Failed-AVP')).toEqual([expect.objectContaining({ name: 'CC-Request-Number', value: 1 })]);
  });

  it('refuses a refund that names no units with 5005 and an example Requested-Service-Unit, moving no money', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn, [['Requested-Action', ACTION.refundAccount]]);
    const answer = await s.next('event');
    expect(answer.get('Result-Code')).toBe(5005);
    expect(answer.get('Failed-AVP')).toEqual([expect.objectContaining({ name: 'Requested-Service-Unit' })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
  });

  it('refuses to debit data for units it is not rated in (5031), moving no money', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn, [['Requested-Action', ACTION.directDebiting]]);
    const answer = await s.next('event', [mscc(10, { rsu: [messages(3)] })]);
    expect(answer.get('Result-Code')).toBe(5031);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
  });
});
