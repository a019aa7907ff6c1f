/** The error catalogue: every error a route may meet becomes one stable code and status. */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/app.js';
import { AdminError, toAdminError } from '../../src/admin/errors.js';
import {
  AccountNotFoundError,
  BalanceStore,
  InsufficientFundsError,
  InvalidArgumentError,
  ReservationExistsError,
} from '../../src/balance/index.js';
import { TariffCatalog } from '../../src/catalog/tariffs.js';
import { SessionKeys } from '../../src/credit-control/keys.js';
import { SessionStore } from '../../src/credit-control/sessions.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ProvisioningError } from '../../src/provisioning/document.js';
import { vpnErrors } from '../../src/vpn/errors.js';
import { TOKENS, WRITE_TOKEN } from './fixture.js';

const mapped = (err: unknown) => {
  const e = toAdminError(err);
  return [e.code, e.status];
};

describe('toAdminError', () => {
  it('maps balance-store refusals', () => {
    expect(mapped(new AccountNotFoundError('x'))).toEqual(['ACCOUNT_NOT_FOUND', 404]);
    expect(mapped(new InsufficientFundsError())).toEqual(['INSUFFICIENT_FUNDS', 422]);
    expect(mapped(new InvalidArgumentError('amount: the bucket would pass 999999999999999'))).toEqual([
      'AMOUNT_TOO_LARGE',
      422,
    ]);
    expect(mapped(new InvalidArgumentError('opId: 1 to 512 characters'))).toEqual(['VALIDATION_FAILED', 400]);
    expect(mapped(new ReservationExistsError())).toEqual(['BALANCE_REFUSED', 422]);
  });

  it('keeps VPN refusals, a VPN shape refusal being a 400', () => {
    expect(mapped(vpnErrors.groupFull('G', 10))).toEqual(['GROUP_FULL', 409]);
    expect(toAdminError(vpnErrors.groupFull('G', 10)).message).toBe(
      'group G already has its maximum of 10 members',
    );
    expect(mapped(vpnErrors.notBelonging('8613800000001', []))).toEqual(['NOT_BELONGING', 422]);
    expect(mapped(vpnErrors.invalid('member', ['shortNumber: bad']))).toEqual(['VALIDATION_FAILED', 400]);
  });

  it('names the fields of a provisioning document', () => {
    const err = toAdminError(
      new ProvisioningError(['accounts[0].balance: must not be negative', 'not valid YAML']),
    );
    expect(err.toJSON()).toEqual({
      code: 'DOCUMENT_REJECTED',
      message: 'accounts[0].balance: must not be negative',
      problems: [
        { field: 'body.accounts[0].balance', reason: 'must not be negative' },
        { field: 'body', reason: 'not valid YAML' },
      ],
    });
  });

  it('hides the cause of a fault', () => {
    const err = toAdminError(new TypeError('secret detail'));
    expect([err.code, err.status, err.message]).toEqual([
      'INTERNAL',
      500,
      'internal error; the server logged it',
    ]);
    expect(toAdminError(new AdminError('BUSY', 'x')).status).toBe(409);
  });

  it('answers a Redis command past its deadline 503, as Redis away', () => {
    expect(mapped(new Error('Command timed out'))).toEqual(['STORE_UNAVAILABLE', 503]);
  });
});

describe('Redis away', () => {
  it('answers 503 STORE_UNAVAILABLE', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    const app = await buildAdminApp({
      redis,
      store: new BalanceStore({ redis }),
      catalog: new TariffCatalog(redis),
      sessions: new SessionStore(redis, new SessionKeys()),
      sessionKeys: new SessionKeys(),
      metrics: new Metrics({ defaultMetrics: false }),
      tokens: TOKENS,
      ready: async () => false,
    });
    try {
      const answer = await app.inject({
        method: 'GET',
        url: '/v1/accounts/8613800000001',
        headers: { authorization: `Bearer ${WRITE_TOKEN}` },
      });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toEqual({
        code: 'STORE_UNAVAILABLE',
        message: 'Redis cannot be reached; try again',
      });
    } finally {
      await app.close();
      redis.disconnect();
    }
  });
});
