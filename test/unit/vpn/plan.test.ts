import { describe, expect, it } from 'vitest';
import type { Activation } from '../../../src/vpn/model.js';
import {
  afterPayment,
  afterRefusal,
  endsPreference,
  feeDue,
  feeOpId,
  formatFeeSequence,
  parseFeeSequence,
  planActivation,
} from '../../../src/vpn/plan.js';

const M = '8613800000001';
const NOV = '2026-11';
const DEC = '2026-12';

const act = (more: Partial<Activation>): Activation => ({
  msisdn: M,
  package: 'vpn-300',
  status: 'active',
  activeFrom: NOV,
  paidThrough: NOV,
  ...more,
});

describe('feeOpId and the fee sequence', () => {
  it('names the first charge of a month as the design says, and the later ones apart', () => {
    expect(feeOpId(M, NOV, 0)).toBe(`vpn-fee:${M}:2026-11`);
    expect(feeOpId(M, NOV, 2)).toBe(`vpn-fee:${M}:2026-11:2`);
  });

  it('counts per month: another month starts at 0', () => {
    expect(parseFeeSequence(null, NOV)).toBe(0);
    expect(parseFeeSequence(formatFeeSequence(NOV, 3), NOV)).toBe(3);
    expect(parseFeeSequence(formatFeeSequence(NOV, 3), DEC)).toBe(0);
    expect(parseFeeSequence('2026-11:x', NOV)).toBe(0);
    expect(parseFeeSequence('garbage', NOV)).toBe(0);
  });
});

describe('planActivation', () => {
  it('immediate without an activation: charge, active from and paid through this month', () => {
    expect(planActivation(undefined, M, 'vpn-300', 'immediate', NOV)).toEqual({
      kind: 'charge',
      activation: act({}),
    });
  });

  it('immediate again for a paid, active package: nothing', () => {
    expect(planActivation(act({}), M, 'vpn-300', 'immediate', NOV)).toEqual({ kind: 'unchanged' });
  });

  it('immediate for a paid package with a switch waiting: cancels the switch without a charge', () => {
    const current = act({ next: { package: 'vpn-100', from: DEC } });
    expect(planActivation(current, M, 'vpn-300', 'immediate', NOV)).toEqual({
      kind: 'store',
      activation: act({}),
    });
  });

  it('immediate for a suspended or pending package: charge, keeping an earlier start', () => {
    expect(
      planActivation(
        act({ status: 'suspended', activeFrom: '2026-09', paidThrough: '2026-10' }),
        M,
        'vpn-300',
        'immediate',
        NOV,
      ),
    ).toEqual({ kind: 'charge', activation: act({ activeFrom: '2026-09' }) });
    expect(
      planActivation(
        act({ status: 'pending', activeFrom: DEC, paidThrough: '' }),
        M,
        'vpn-300',
        'immediate',
        NOV,
      ),
    ).toEqual({ kind: 'charge', activation: act({}) });
  });

  it('immediate for another package: charge the new one, whatever the old one paid', () => {
    expect(planActivation(act({}), M, 'vpn-100', 'immediate', NOV)).toEqual({
      kind: 'charge',
      activation: act({ package: 'vpn-100' }),
    });
  });

  it('next month without an activation, or replacing an unpaid one: pending from next month', () => {
    const pending = act({ status: 'pending', activeFrom: DEC, paidThrough: '' });
    expect(planActivation(undefined, M, 'vpn-300', 'next-month', NOV)).toEqual({
      kind: 'store',
      activation: pending,
    });
    expect(
      planActivation(
        act({ package: 'vpn-100', status: 'suspended', paidThrough: '2026-10' }),
        M,
        'vpn-300',
        'next-month',
        NOV,
      ),
    ).toEqual({ kind: 'store', activation: pending });
    expect(planActivation(undefined, M, 'vpn-300', 'next-month', '2026-12')).toMatchObject({
      activation: { activeFrom: '2027-01' },
    });
  });

  it('next month for the package already active or pending: nothing', () => {
    expect(planActivation(act({}), M, 'vpn-300', 'next-month', NOV)).toEqual({ kind: 'unchanged' });
    expect(
      planActivation(
        act({ status: 'pending', activeFrom: DEC, paidThrough: '' }),
        M,
        'vpn-300',
        'next-month',
        NOV,
      ),
    ).toEqual({ kind: 'unchanged' });
  });

  it('next month for the same package, suspended: pending from next month', () => {
    expect(
      planActivation(act({ status: 'suspended', paidThrough: '2026-10' }), M, 'vpn-300', 'next-month', NOV),
    ).toEqual({
      kind: 'store',
      activation: act({ status: 'pending', activeFrom: DEC, paidThrough: '2026-10' }),
    });
  });

  it('next month for another package while one is active and paid: the switch waits in next', () => {
    const plan = planActivation(act({}), M, 'vpn-100', 'next-month', NOV);
    expect(plan).toEqual({ kind: 'store', activation: act({ next: { package: 'vpn-100', from: DEC } }) });
    if (plan.kind !== 'store') throw new Error('store expected');
    expect(planActivation(plan.activation, M, 'vpn-100', 'next-month', NOV)).toEqual({ kind: 'unchanged' });
    // Asking for the current package again cancels the switch.
    expect(planActivation(plan.activation, M, 'vpn-300', 'next-month', NOV)).toEqual({
      kind: 'store',
      activation: act({}),
    });
  });
});

describe('feeDue', () => {
  it('is not due when the month is paid already, so a second run changes nothing', () => {
    expect(feeDue(act({}), NOV).due).toBe(false);
    expect(feeDue(act({ paidThrough: DEC }), NOV).due).toBe(false);
  });

  it('is due for an active package not paid for the month, and for a suspended one', () => {
    expect(feeDue(act({}), DEC)).toEqual({ due: true, activation: act({}) });
    expect(feeDue(act({ status: 'suspended' }), DEC).due).toBe(true);
  });

  it('is due for a pending package once it starts, not before', () => {
    const pending = act({ status: 'pending', activeFrom: DEC, paidThrough: '' });
    expect(feeDue(pending, NOV).due).toBe(false);
    expect(feeDue(pending, DEC).due).toBe(true);
    expect(feeDue(pending, '2027-01').due).toBe(true);
  });

  it('a waiting switch takes over in its month, with nothing paid for the new package', () => {
    const switching = act({ next: { package: 'vpn-100', from: DEC } });
    expect(feeDue(switching, NOV)).toEqual({ due: false, activation: switching });
    expect(feeDue(switching, DEC)).toEqual({
      due: true,
      activation: { msisdn: M, package: 'vpn-100', status: 'pending', activeFrom: DEC, paidThrough: '' },
    });
  });

  it('after a payment or a refusal', () => {
    expect(afterPayment(act({ status: 'pending', activeFrom: DEC, paidThrough: '' }), DEC)).toEqual(
      act({ activeFrom: DEC, paidThrough: DEC }),
    );
    expect(afterRefusal(act({}))).toEqual(act({ status: 'suspended' }));
  });
});

describe('endsPreference', () => {
  it('only an active activation had the preference to lose', () => {
    const suspended = act({ status: 'suspended' });
    expect(endsPreference(act({}), suspended)).toBe(true);
    expect(endsPreference(act({ next: { package: 'vpn-100', from: DEC } }), suspended)).toBe(true);
    expect(endsPreference(suspended, suspended)).toBe(false);
    expect(endsPreference(act({ status: 'pending', paidThrough: '' }), suspended)).toBe(false);
    expect(endsPreference(act({}), act({ paidThrough: DEC }))).toBe(false);
  });
});
