/**
 * What the VPN end-to-end tests share on top of test/support/ocs-fixture.ts: provisioning at
 * the fixture's clock (so that activation months follow the clock, not the wall), a VPN registry
 * on the server's Redis and key prefix (changes it publishes reach the running servers), every
 * bucket of an account, one voice leg and one SMS event over Diameter.
 */
import { expect } from 'vitest';
import type { BucketView } from '../../../src/balance/index.js';
import { provision, type ProvisioningSummary } from '../../../src/provisioning/apply.js';
import { VpnRegistry } from '../../../src/vpn/registry.js';
import type { TestPeer, ReceivedAnswer } from '../../support/diameter-peer.js';
import { member } from '../../support/diameter-peer.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  imsInformation,
  messages,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

/** The voice rating group the tests use. */
export const RG = 100;

/** Applies a provisioning document with the fixture's clock as the time of its VPN fees. */
export function provisionAt(
  ocs: OcsFixture,
  yaml: string,
  nowMs = ocs.clock.ms,
): Promise<ProvisioningSummary> {
  const { redis, store, catalog, sessionKeys } = ocs.server;
  return provision({ redis, store, catalog, sessionKeys }, yaml, nowMs);
}

/** A registry on the server's Redis and key prefix, as an operator's tool would use it. */
export function vpnRegistry(ocs: OcsFixture): VpnRegistry {
  return new VpnRegistry({ redis: ocs.redis, keyPrefix: ocs.prefix, store: ocs.server.store });
}

/** Every bucket of the account: money and the packages' free levels `vpn:<package>:L<i>`. */
export async function buckets(ocs: OcsFixture, msisdn: string): Promise<Record<string, BucketView>> {
  const account = await ocs.server.store.getAccount(msisdn);
  if (!account) throw new Error(`no account ${msisdn}`);
  return account.buckets;
}

/** Numbers of this file: the fixture's key prefix keeps them apart from other files'. */
export function numbering(first = 1): () => string {
  let n = first - 1;
  return () => `86138${String(++n).padStart(8, '0')}`;
}

/** One leg of a voice call: Subscription-Id is `served`, IMS-Information names both parties. */
export function voiceLeg(
  ocs: OcsFixture,
  leg: { served: string; calling: string; called: string; role: 'originating' | 'terminating' },
  via?: TestPeer,
): CcSession {
  const ims = imsInformation(leg.calling, leg.called, leg.role === 'originating' ? 0 : 1);
  return new CcSession(ocs, CONTEXT.voice, leg.served, [ims], via);
}

/** One SMS as a CCR-Event (DIRECT_DEBITING of one message) from `from` to the number `to`. */
export function smsEvent(ocs: OcsFixture, from: string, to: string) {
  const s = new CcSession(ocs, CONTEXT.sms, from, [
    ['Requested-Action', ACTION.directDebiting],
    imsInformation(`tel:+${from}`, to),
  ]);
  return { s, answer: s.next('event', [['Requested-Service-Unit', [messages(1)]]]) };
}

/** What the one MSCC of an answer says. */
export interface MsccView {
  resultCode: number;
  /** Result-Code of the MSCC. */
  msccResult: unknown;
  /** Granted CC-Time, undefined when none. */
  granted: number | undefined;
  /** Final-Unit-Indication present. */
  final: boolean;
}

export function msccView(answer: ReceivedAnswer): MsccView {
  const all = answer.all('Multiple-Services-Credit-Control');
  expect(all.length).toBeLessThanOrEqual(1);
  const m = all[0];
  const gsu = member(m, 'Granted-Service-Unit');
  const time = member(gsu, 'CC-Time');
  return {
    resultCode: answer.get('Result-Code') as number,
    msccResult: member(m, 'Result-Code'),
    granted: time === undefined ? undefined : Number(time),
    final: member(m, 'Final-Unit-Indication') !== undefined,
  };
}

/** A bucket as `{ available, reserved, spent }`. */
export const b = (available: number, reserved: number, spent: number): BucketView => ({
  available,
  reserved,
  spent,
});
