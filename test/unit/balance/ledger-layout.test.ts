import { describe, expect, it } from 'vitest';
import { decodeLedgerEntry } from '../../../src/balance/stored-layout.js';

describe('ledger entries in the compact layout (lua/includes/ledger.lua)', () => {
  it('read as the entries of the earlier layout', () => {
    const compact = decodeLedgerEntry([
      '1-0',
      ['e', 'deduct|10|95|7|money=0/-5/5|used=61|uncharged=0', 'i', 'o', 's', 'gw;1|x'],
    ]);
    const earlier = decodeLedgerEntry([
      '1-0',
      [
        'op',
        'deduct',
        'opId',
        'o',
        'session',
        'gw;1|x',
        'rg',
        '10',
        'd',
        'money=0/-5/5',
        'availAfter',
        '95',
        'ts',
        '7',
        'used',
        '61',
        'uncharged',
        '0',
      ],
    ]);
    expect(compact).toEqual(earlier);
    expect(compact).toEqual({
      id: '1-0',
      op: 'deduct',
      opId: 'o',
      session: 'gw;1|x',
      ratingGroup: 10,
      deltas: { money: { available: 0, reserved: -5, spent: 5 } },
      moneyAvailableAfter: 95,
      ts: 7,
      extra: { used: '61', uncharged: '0' },
    });
  });

  it('without session, rating group or deltas, and with a reference of any text', () => {
    expect(decodeLedgerEntry(['2-0', ['e', 'topup||100|9|', 'i', 't1', 's', '', 'ref', 'a|b=c']])).toEqual({
      id: '2-0',
      op: 'topup',
      opId: 't1',
      session: '',
      ratingGroup: null,
      deltas: {},
      moneyAvailableAfter: 100,
      ts: 9,
      extra: { ref: 'a|b=c' },
    });
    expect(
      decodeLedgerEntry(['3-0', ['e', 'reset||0|9|free=10/0/0|period=2026-12', 'i', 'reset:2026-12']]),
    ).toMatchObject({ op: 'reset', session: '', extra: { period: '2026-12' } });
  });

  it('read a settle: one entry for the deduct, return and new grant of a CCR-U', () => {
    expect(
      decodeLedgerEntry([
        '4-0',
        [
          'e',
          'settle|10|910|9|vpn:p:free-seconds=-60/-120/180;money=-15/15/0|used=200|uncharged=0|granted=240|afterTariffChange=20',
          'i',
          'gw;1#2',
          's',
          'gw;1',
        ],
      ]),
    ).toEqual({
      id: '4-0',
      op: 'settle',
      opId: 'gw;1#2',
      session: 'gw;1',
      ratingGroup: 10,
      deltas: {
        'vpn:p:free-seconds': { available: -60, reserved: -120, spent: 180 },
        money: { available: -15, reserved: 15, spent: 0 },
      },
      moneyAvailableAfter: 910,
      ts: 9,
      extra: { used: '200', uncharged: '0', granted: '240', afterTariffChange: '20' },
    });
  });
});
