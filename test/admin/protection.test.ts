/**
 * Rate limiting and load shedding of /v1 (ADMIN_RATE_LIMIT_*, ADMIN_SHED_*): 429 RATE_LIMITED
 * per token, counted in Redis so that two instances share the count; 503 OVERLOADED while the
 * process is past a threshold; both with Retry-After, and neither on the probes and metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_LIMITS, type AdminLimits } from '../../src/config/admin-limits.js';
import { adminFixture, READ_TOKEN, type AdminFixture } from './fixture.js';

const opened: AdminFixture[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.cleanup()));
});

async function fixture(limits: Partial<AdminLimits>, more: { pressureSampleIntervalMs?: number } = {}) {
  const f = await adminFixture({ limits: { ...DEFAULT_ADMIN_LIMITS, ...limits }, ...more });
  opened.push(f);
  return f;
}

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit of a token, and counts each token apart', async () => {
    const f = await fixture({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      const answer = await f.call('GET', '/v1/tariffs');
      expect(answer.status).toBe(200);
      expect(answer.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const refused = await f.call('GET', '/v1/tariffs');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^token ops sent more than 3 requests in 60 s; retry in \d+ s$/),
    });
    expect((await f.call('GET', '/v1/tariffs', { token: READ_TOKEN })).status).toBe(200);
    expect((await f.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await f.call('GET', '/metrics', { token: null })).status).toBe(200);
  });

  it('counts a caller without a known token by its address, before authentication', async () => {
    const f = await fixture({ rateLimitMax: 2 });
    expect((await f.call('GET', '/v1/tariffs', { token: 'not-a-known-token-0000000' })).status).toBe(401);
    expect((await f.call('GET', '/v1/tariffs', { token: null })).status).toBe(401);
    const refused = await f.call('GET', '/v1/tariffs', { token: 'another-unknown-token-000' });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/^address 127\.0\.0\.1 sent more than 2 requests/);
    expect((await f.call('GET', '/v1/tariffs')).status).toBe(200);
  });

  it('shares the count between instances on the same Redis', async () => {
    const a = await fixture({ rateLimitMax: 2 });
    const b = await adminFixture({
      limits: { ...DEFAULT_ADMIN_LIMITS, rateLimitMax: 2 },
      keyPrefix: a.prefix,
    });
    opened.push(b);
    expect((await a.call('GET', '/v1/tariffs')).status).toBe(200);
    expect((await b.call('GET', '/v1/tariffs')).status).toBe(200);
    expect((await a.call('GET', '/v1/tariffs')).status).toBe(429);
    expect((await b.call('GET', '/v1/tariffs')).status).toBe(429);
  });

  it('is off at 0', async () => {
    const f = await fixture({ rateLimitMax: 0 });
    const answer = await f.call('GET', '/v1/tariffs');
    expect(answer.status).toBe(200);
    expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('load shedding', () => {
  /** Calls until the sampler has seen the process past its threshold (a sample or two). */
  async function untilShed(f: AdminFixture) {
    for (let i = 0; i < 200; i++) {
      const answer = await f.call('GET', '/v1/tariffs');
      if (answer.status !== 200) return answer;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('never shed');
  }

  it('answers 503 OVERLOADED with Retry-After while the heap is past its limit, and logs it once', async () => {
    const f = await fixture(
      { shedHeapUsedBytes: 1, shedEventLoopDelayMs: 0, shedRetryAfterSeconds: 7 },
      { pressureSampleIntervalMs: 10 },
    );
    const shed = await untilShed(f);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.body).toEqual({
      code: 'OVERLOADED',
      message: 'the server is under load (heapUsedBytes); admin requests are refused to keep charging going',
    });
    expect((await f.call('GET', '/v1/tariffs')).status).toBe(503);
    expect(f.logs.filter((l) => l.msg === 'admin API: shedding requests')).toHaveLength(1);
    expect((await f.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await f.call('GET', '/readyz', { token: null })).status).toBe(200);
    expect((await f.call('GET', '/metrics', { token: null })).status).toBe(200);
  });

  it('answers 503 while the event loop is late, and serves again once it is not', async () => {
    const f = await fixture(
      { shedEventLoopDelayMs: 50, shedRetryAfterSeconds: 1 },
      { pressureSampleIntervalMs: 20 },
    );
    // The first call readies the app: the samples of the next 40 ms are not counted yet.
    expect((await f.call('GET', '/v1/tariffs')).status).toBe(200);
    // Then a loop blocked for 500 ms: the sample that covers it averages well above 50 ms.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const until = Date.now() + 500;
    while (Date.now() < until);
    const shed = await untilShed(f);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.body.message).toMatch(/\(eventLoopDelay\)/);
    let answer = shed;
    for (let i = 0; i < 100 && answer.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await f.call('GET', '/v1/tariffs');
    }
    expect(answer.status).toBe(200);
  });

  it('serves while the process is under its limits', async () => {
    const f = await fixture(
      { shedHeapUsedBytes: 64 * 1024 * 1024 * 1024, shedEventLoopDelayMs: 0 },
      { pressureSampleIntervalMs: 10 },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 5; i++) expect((await f.call('GET', '/v1/tariffs')).status).toBe(200);
  });
});
