/**
 * Top-ups and refunds, idempotent by the client's reference: the balance store's operation id
 * is `topup:<reference>` (or `refund:`), under which it keeps the first result, so the same
 * reference twice credits once and answers the same. The reference is per account, and is
 * remembered for ADMIN_OP_TTL_SECONDS; what it first asked for is kept as long, so that the
 * same reference with another amount is refused (REFERENCE_REUSED) rather than answered with
 * the first result as if it had been done.
 */
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import type { BalanceStore } from '../balance/index.js';
import { BalanceError, MAX_AMOUNT, MONEY } from '../balance/index.js';
import { accountNotFound } from './accounts.js';
import { AdminError } from './errors.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import type { AdminKeys } from './keys.js';
import { parseBody } from './schemas.js';

/** How long a top-up or refund reference is remembered: 30 days. */
export const ADMIN_OP_TTL_SECONDS = 30 * 24 * 3600;

export const creditSchema = z
  .object({
    amount: z
      .number()
      .int('must be a whole number of minor units')
      .positive('must be greater than 0')
      .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)
      .describe('minor units (or seconds, for a free-seconds bucket)'),
    reference: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, '1 to 128 printable ASCII characters, no spaces')
      .describe(
        `the client's own id of this credit (voucher, payment): remembered per account for ${ADMIN_OP_TTL_SECONDS / 86_400} days`,
      ),
    bucket: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, '1 to 64 letters, digits, _ . : -')
      .default(MONEY)
      .describe('default money'),
  })
  .strict();

export type CreditKind = 'topup' | 'refund';

export interface CreditResource {
  msisdn: string;
  kind: CreditKind;
  reference: string;
  amount: number;
  bucket: string;
  /** Available in the bucket right after this credit (a replay answers the first figure). */
  available: number;
  /** The reference had been applied before: nothing changed now. */
  replayed: boolean;
}

export interface CreditServiceDeps {
  redis: Redis | Cluster;
  /** A store whose operation ids live ADMIN_OP_TTL_SECONDS. */
  store: BalanceStore;
  keys: AdminKeys;
  now(): number;
  /** Told of each credit made, so that sessions out of money are re-authorised (RAR). */
  network?: NetworkTriggers | undefined;
}

export class CreditService {
  constructor(private readonly deps: CreditServiceDeps) {}

  /**
   * Credits the account once per reference. Refused: ACCOUNT_NOT_FOUND, REFERENCE_REUSED,
   * AMOUNT_TOO_LARGE, VALIDATION_FAILED.
   */
  async credit(kind: CreditKind, msisdn: string, body: unknown): Promise<CreditResource> {
    const { amount, reference, bucket } = parseBody(creditSchema, body);
    const { redis, store, keys } = this.deps;
    // Checked first: the store remembers a refusal for an unknown account under the operation
    // id, and the same reference would stay refused after the account is created.
    if (!(await store.getAccount(msisdn))) throw accountNotFound(msisdn);

    const refKey = keys.reference(msisdn, kind, reference);
    const asked = `${amount} ${bucket}`;
    const claimed = (await redis.set(refKey, asked, 'EX', ADMIN_OP_TTL_SECONDS, 'NX')) === 'OK';
    if (!claimed) {
      const first = await redis.get(refKey);
      if (first !== null && first !== asked) {
        const [firstAmount, firstBucket] = first.split(' ');
        throw new AdminError(
          'REFERENCE_REUSED',
          `reference ${reference} was a ${kind} of ${firstAmount} to ${firstBucket} of ${msisdn}; this asks ${amount} to ${bucket}`,
        );
      }
    }
    const opId = `${kind}:${reference}`;
    // Done before when the store holds the operation's result (a first attempt may have been
    // cut off between claiming the reference and crediting).
    const replayed = !claimed && (await redis.exists(store.keys.operation(msisdn, opId))) === 1;
    const request = { opId, msisdn, amount, bucket, reference, nowMs: this.deps.now() };
    try {
      const result = kind === 'topup' ? await store.topup(request) : await store.refund(request);
      if (!replayed) await this.deps.network?.credited(msisdn, kind);
      return { msisdn, kind, reference, amount, bucket, available: result.available, replayed };
    } catch (err) {
      // Refused by the store and not remembered (amount too large): the reference is free
      // again. Not after a lost reply, which may hide a credit that was made.
      if (claimed && err instanceof BalanceError) await redis.del(refKey);
      throw err;
    }
  }
}
