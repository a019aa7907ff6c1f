export { BalanceStore, DEFAULT_LEDGER_MAX_LEN, type BalanceStoreOptions } from './store.js';
export * from './errors.js';
export * from './types.js';
export { makeOpId, MAX_AMOUNT } from './validate.js';
export { Keys } from './keys.js';
export { StoreMetrics } from './metrics.js';
export { reservedMoneyByCurrency } from './reserved-money.js';
export type { Guard } from '../redis/script-call.js';
