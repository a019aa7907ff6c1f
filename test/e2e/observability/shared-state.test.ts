/**
 * Gauges of state all instances share, read from Redis at the scrape: open sessions and the
 * money they hold frozen, by currency, are the same on every instance, on one started after
 * the sessions opened too (a restart), and a value that cannot be read is left out, not 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  seconds,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { Scrape } from './exposition.js';

const EURO_TARIFF = `
tariffs:
  - id: euro
    currency: EUR
    voice: { unitSeconds: 60, pricePerUnit: 9 }
    data:
      ratingGroups:
        '10': { unitOctets: ${MiB}, pricePerUnit: 2 }
`;

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
  await ocs.provision(EURO_TARIFF);
});
afterAll(() => ocs.close());

const shared = (s: Scrape) => ({
  sessions: s.value('ocs_charging_sessions_active'),
  cny: s.value('ocs_charging_money_reserved', { currency: 'CNY' }),
  eur: s.value('ocs_charging_money_reserved', { currency: 'EUR' }),
});

describe('shared state read at the scrape', () => {
  it('is the same on every instance, one started after the sessions opened included', async () => {
    const idle = shared(await Scrape.of(ocs.server.httpPort));
    expect(idle).toEqual({ sessions: 0, cny: 0, eur: 0 });

    const data = new CcSession(ocs, CONTEXT.data, await ocs.account());
    const call = new CcSession(ocs, CONTEXT.voice, await ocs.account());
    const roaming = new CcSession(ocs, CONTEXT.data, await ocs.account({ tariff: 'euro' }));
    expect(
      (await data.initial([mscc(10, { rsu: [octets(2 * MiB)] }), mscc(20, { rsu: [octets(MiB)] })])).get(
        'Result-Code',
      ),
    ).toBe(2001);
    expect((await call.initial([mscc(100, { rsu: [seconds(120)] })])).get('Result-Code')).toBe(2001);
    expect((await roaming.initial([mscc(10, { rsu: [octets(3 * MiB)] })])).get('Result-Code')).toBe(2001);

    // 2 MiB at 0.30 and 1 MiB at 0.10, two minutes at 0.15; 3 MiB at 0.02 EUR.
    const open = { sessions: 3, cny: 60 + 10 + 30, eur: 6 };
    expect(shared(await Scrape.of(ocs.server.httpPort))).toEqual(open);
    const restarted = await ocs.secondInstance();
    expect(shared(await Scrape.of(restarted.server.httpPort))).toEqual(open);

    // The second instance ends a session the first one opened: both see it gone.
    await data.terminate(
      [mscc(10, { usu: [[octets(MiB)]] }), mscc(20, { usu: [[octets(0)]] })],
      restarted.peer,
    );
    const after = { sessions: 2, cny: 30, eur: 6 };
    expect(shared(await Scrape.of(ocs.server.httpPort))).toEqual(after);
    expect(shared(await Scrape.of(restarted.server.httpPort))).toEqual(after);

    await call.terminate([mscc(100, { usu: [[seconds(30)]] })]);
    await roaming.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(shared(await Scrape.of(restarted.server.httpPort))).toEqual({ sessions: 0, cny: 0, eur: 0 });
  });

  it('leaves out a value Redis cannot give, counts it and says why', async () => {
    const errors = (s: Scrape, metric: string) => s.value('ocs_metrics_collect_errors_total', { metric });
    const before = await Scrape.of(ocs.server.httpPort);
    expect(errors(before, 'ocs_charging_sessions_active')).toBe(0);
    expect(errors(before, 'ocs_charging_money_reserved')).toBe(0);

    // Keys of the wrong type: every read of them fails with WRONGTYPE.
    await ocs.redis.set(`${ocs.prefix}sess-supervision`, 'not a sorted set');
    await ocs.redis.set(`${ocs.prefix}resv-index`, 'not a sorted set');
    try {
      const broken = await Scrape.of(ocs.server.httpPort);
      expect(broken.all('ocs_charging_sessions_active')).toEqual([]);
      expect(broken.all('ocs_charging_money_reserved')).toEqual([]);
      expect(broken.text).toContain('# TYPE ocs_charging_sessions_active gauge');
      expect(errors(broken, 'ocs_charging_sessions_active')).toBe(1);
      expect(errors(broken, 'ocs_charging_money_reserved')).toBe(1);
      expect(ocs.logs).toContainEqual(
        expect.objectContaining({
          msg: 'metric not read: left out of the scrape',
          metric: 'ocs_charging_sessions_active',
          reason: expect.stringContaining('WRONGTYPE'),
        }),
      );
    } finally {
      await ocs.redis.del(`${ocs.prefix}sess-supervision`, `${ocs.prefix}resv-index`);
    }
    const again = await Scrape.of(ocs.server.httpPort);
    expect(shared(again)).toEqual({ sessions: 0, cny: 0, eur: 0 });
    expect(errors(again, 'ocs_charging_sessions_active')).toBe(1);
  });
});
