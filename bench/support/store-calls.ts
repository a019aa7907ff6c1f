import type { BalanceStore, Tier } from '../../src/balance/index.js';

/** A VPN package's free seconds first, then money: the tiers of an intra-group call. */
export const TIERS: Tier[] = [
  { bucket: 'vpn:vpn-300:free-seconds', unitSize: 60, pricePerUnit: 60 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
];

/** The i-th of `accounts` subscribers, round and round. */
export function msisdnOf(accounts: number): (i: number) => string {
  return (i) => `86139${String(i % accounts).padStart(8, '0')}`;
}

/** Accounts with money and free seconds that no run uses up. */
export async function seedAccounts(
  store: BalanceStore,
  accounts: number,
  msisdn: (i: number) => string,
): Promise<void> {
  await Promise.all(
    Array.from({ length: accounts }, (_, i) =>
      store.upsertAccount({
        msisdn: msisdn(i),
        buckets: { money: 900_000_000_000, 'vpn:vpn-300:free-seconds': 18_000 },
      }),
    ),
  );
}

/** The store call of a CCR-I: the i-th call opens session `${tag}${i}`. */
export function applyCall(store: BalanceStore, msisdn: (i: number) => string, tag: string, now: number) {
  return (i: number) =>
    store.apply({
      opId: `${tag}${i}#0#apply`,
      msisdn: msisdn(i),
      sessionId: `${tag}${i}`,
      ratingGroup: 0,
      tiers: TIERS,
      units: 120,
      nowMs: now + i,
      expiresAtMs: now + 3_600_000,
    });
}

/** Runs `fn(0)` to `fn(calls - 1)` with `inFlight` calls awaiting at a time. */
export async function runInFlight(
  calls: number,
  inFlight: number,
  fn: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) await fn(next++);
    }),
  );
}
