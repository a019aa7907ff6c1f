/**
 * Configuration cached per instance cannot stay stale (DESIGN §5). Pub/sub delivers a change at
 * most once, so an instance that misses a message must still see the change: every cached tariff
 * and VPN entry lives at most CONFIG_CACHE_TTL_MS, and everything is dropped when the
 * subscription connection comes back.
 *
 * Two instances share one Redis and key prefix; B reaches Redis through a relay that can make
 * its subscriber connections deaf (they miss every message without noticing) or cut them. The
 * caches read the fixture's clock, so the time to live is crossed by moving it, not by waiting.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TariffDocument } from '../../../src/catalog/schema.js';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import type { RunningServer } from '../../../src/server/start.js';
import { VpnKeys } from '../../../src/vpn/keys.js';
import { member, type TestPeer } from '../../support/diameter-peer.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  messages,
  mscc,
  seconds,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { RG, numbering, provisionAt, voiceLeg } from '../vpn/support.js';
import { RedisLink, type RelayedConnection } from './redis-link.js';

const TTL_MS = 200;

let link: RedisLink;
let ocs: OcsFixture;
let a: RunningServer;
let b: { server: RunningServer; peer: TestPeer };
/** Connections through the link from this one on are B's (A's stay up throughout). */
let firstOfB: number;
const next = numbering(700);

beforeAll(async () => {
  link = await RedisLink.open(inject('redisUrl'));
  ocs = await startOcs({ env: { REDIS_URL: link.url, CONFIG_CACHE_TTL_MS: String(TTL_MS) } });
  a = ocs.server;
  firstOfB = link.connections.length;
  b = await ocs.secondInstance();
});
afterAll(async () => {
  await ocs.close();
  await link.close();
});

function bSubscribers(): RelayedConnection[] {
  const subscribers = link.connections.slice(firstOfB).filter((c) => c.open && c.subscriber);
  expect(subscribers.length).toBeGreaterThan(0);
  return subscribers;
}

const smsTariff = (id: string, pricePerMessage: number): TariffDocument => ({
  id,
  currency: 'CNY',
  sms: { pricePerMessage },
});

/** What one SMS costs the account on the instance behind `peer` (PRICE_ENQUIRY: no money moves). */
async function smsPrice(peer: TestPeer, msisdn: string): Promise<number> {
  const enquiry = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.priceEnquiry]], peer);
  const answer = await enquiry.next('event', [['Requested-Service-Unit', [messages(1)]]]);
  expect(answer.get('Result-Code')).toBe(2001);
  const unit = member(answer.get('Cost-Information'), 'Unit-Value');
  return Number(member(unit, 'Value-Digits'));
}

/** Retries `check` every 10 ms until it passes; fails after `ms`. */
async function within(ms: number, check: () => Promise<void>): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - started > ms) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('a tariff changed through one instance while another has lost its subscription', () => {
  it('is priced by the other instance once CONFIG_CACHE_TTL_MS has passed', async () => {
    await a.catalog.put(smsTariff('ttl-probe', 10));
    const msisdn = await ocs.account({ tariff: 'ttl-probe' });
    expect(await smsPrice(ocs.peer, msisdn)).toBe(10);
    expect(await smsPrice(b.peer, msisdn)).toBe(10);

    for (const c of bSubscribers()) c.deafen();
    await a.catalog.put(smsTariff('ttl-probe', 25));
    expect(await smsPrice(ocs.peer, msisdn)).toBe(25);
    // Time enough for the message to have reached B, had B been listening.
    await new Promise((r) => setTimeout(r, 100));
    expect(await smsPrice(b.peer, msisdn)).toBe(10);

    ocs.clock.advance((TTL_MS - 1) / 1000);
    expect(await smsPrice(b.peer, msisdn)).toBe(10);
    ocs.clock.advance(1 / 1000);
    expect(await smsPrice(b.peer, msisdn)).toBe(25);
  });

  it('is priced by the other instance as soon as its subscription comes back', async () => {
    await a.catalog.put(smsTariff('reconnect-probe', 10));
    const msisdn = await ocs.account({ tariff: 'reconnect-probe' });
    expect(await smsPrice(b.peer, msisdn)).toBe(10);

    const lost = bSubscribers();
    for (const c of lost) c.deafen();
    await a.catalog.put(smsTariff('reconnect-probe', 40));
    expect(await smsPrice(ocs.peer, msisdn)).toBe(40);
    await new Promise((r) => setTimeout(r, 100));
    expect(await smsPrice(b.peer, msisdn)).toBe(10);

    // The clock stands still: only the reconnection can show B the change.
    for (const c of lost) c.cut();
    await within(2000, async () => {
      expect(bSubscribers().length).toBe(lost.length);
      expect(await smsPrice(b.peer, msisdn)).toBe(40);
    });
  });
});

describe('the VPN directory', () => {
  it('keeps a short number for CONFIG_CACHE_TTL_MS too', async () => {
    const [caller, callee] = [next(), next()];
    await provisionAt(
      ocs,
      `
accounts:
  - { msisdn: '${caller}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${callee}', prepaid: true, tariff: std, balance: 1000 }
vpn:
  packages:
    - id: ttl-vpn
      monthlyFee: 100
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 3000, unitSeconds: 60 }
  groups:
    - id: T
      name: group T
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${caller}', shortNumber: '7001', identity: belongs, display: short }
  activations:
    - { msisdn: '${caller}', package: ttl-vpn, when: immediate }
`,
    );
    /** The Result-Code of a call to the short number 7002 on the instance behind `peer`. */
    const call = async (peer: TestPeer) => {
      const leg = voiceLeg(
        ocs,
        { served: caller, calling: `tel:+${caller}`, called: 'tel:7002', role: 'originating' },
        peer,
      );
      const code = (await leg.initial([mscc(RG, { rsu: [seconds(60)] })])).get('Result-Code');
      if (code === 2001) await leg.terminate([mscc(RG, { usu: [[seconds(0)]] })]);
      return code;
    };
    // The provisioning's own change messages must reach both instances before their caches are
    // filled: one arriving later would drop the entry this test counts on staying cached.
    await new Promise((resolve) => setTimeout(resolve, 200));
    // 4010: no such short number in the group (DESIGN §3), and both instances cache that.
    expect(await call(ocs.peer)).toBe(4010);
    expect(await call(b.peer)).toBe(4010);
    // Written behind the registry's back, as a lost message would leave it.
    await ocs.redis.hset(new VpnKeys(ocs.prefix).shortNumbers('T'), '7002', callee);
    ocs.clock.advance((TTL_MS - 1) / 1000);
    expect(await call(b.peer)).toBe(4010);
    ocs.clock.advance(1 / 1000);
    expect(await call(ocs.peer)).toBe(2001);
    expect(await call(b.peer)).toBe(2001);
  });
});

describe('CONFIG_CACHE_TTL_MS', () => {
  it('is 30 s unless set, and a whole number of milliseconds up to an hour', () => {
    expect(loadConfig({}).configCacheTtlMs).toBe(30_000);
    expect(loadConfig({ CONFIG_CACHE_TTL_MS: '200' }).configCacheTtlMs).toBe(200);
    for (const bad of ['0', '-5', '1.5', 'soon', '3600001']) {
      expect(() => loadConfig({ CONFIG_CACHE_TTL_MS: bad }), bad).toThrow(ConfigError);
    }
  });
});
