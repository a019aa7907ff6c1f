import type { Redis as RedisClient } from 'ioredis';
import { BalanceStore } from '../../../src/balance/index.js';
import { trivialEvalshaRate } from '../../support/redis-benchmark.js';
import { median } from '../../support/statistics.js';
import { applyCall, msisdnOf, runInFlight, seedAccounts } from '../../support/store-calls.js';
import { num } from '../format.js';
import { checkInterrupted } from '../interruption.js';
import { BENCHMARK_REQUESTS, STORE_CALLS, STORE_IN_FLIGHT, STORE_ROUNDS } from '../settings.js';

export interface Baseline {
  applyRate: number;
  trivial: number;
  /** Server CCR/s at saturation over apply calls/s. */
  ratio: number;
}

/** The bare balance-store apply (index ZADD + script) through ioredis, STORE_IN_FLIGHT in flight. */
async function storeApplyRate(redis: RedisClient): Promise<number> {
  const store = new BalanceStore({ redis, keyPrefix: 'bench-store:' });
  const msisdn = msisdnOf(1000);
  await seedAccounts(store, 1000, msisdn);
  const now = Date.now();
  const measure = async (tag: string, calls: number) => {
    const start = process.hrtime.bigint();
    await runInFlight(calls, STORE_IN_FLIGHT, applyCall(store, msisdn, tag, now));
    return calls / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  await measure('w', STORE_CALLS / 5);
  const rates: number[] = [];
  for (let round = 0; round < STORE_ROUNDS; round++) {
    checkInterrupted();
    rates.push(await measure(`r${round}s`, STORE_CALLS));
  }
  return median(rates);
}

/** Phase (d): what the server is measured against, on the same Redis in the same run. */
export async function baseline(
  redis: RedisClient,
  redisPort: number,
  saturationPerSecond: number,
): Promise<Baseline> {
  const applyRate = await storeApplyRate(redis);
  const trivial = await trivialEvalshaRate(redis, redisPort, BENCHMARK_REQUESTS);
  const ratio = saturationPerSecond / applyRate;
  console.log(
    `  (d) baseline on the same Redis: balance-store apply through ioredis, ${STORE_IN_FLIGHT} in flight: ` +
      `${num(applyRate)} calls/s (median of ${STORE_ROUNDS}); redis-benchmark EVALSHA 'return 1', 50 clients: ` +
      `${num(trivial)}/s; server CCR/s over apply calls/s: ${ratio.toFixed(3)}`,
  );
  return { applyRate, trivial, ratio };
}
