/**
 * ADMIN_TOKEN, ADMIN_TOKENS and METRICS_TOKEN, checked at start without ever printing a token;
 * DIAMETER_MAX_IN_FLIGHT, the admission limit of the Diameter listener; ADMIN_RATE_LIMIT_* and
 * ADMIN_SHED_*, how much of the process the admin API may take.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configProblems as problems } from '../support/config-problems.js';

const A = 'aaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbb';

describe('admin tokens in the configuration', () => {
  it('reads ADMIN_TOKENS as name:scope:token entries, a token may hold colons', () => {
    const config = loadConfig({
      ADMIN_TOKENS: ` bss:write:${A}, grafana:read:${B}:x `,
      ADMIN_TOKEN: `${A}-solo`,
    });
    expect(config.adminTokens).toEqual([
      { name: 'bss', scope: 'write', token: A },
      { name: 'grafana', scope: 'read', token: `${B}:x` },
    ]);
    expect(config.adminToken).toBe(`${A}-solo`);
    expect(config.metricsToken).toBeUndefined();
    expect(loadConfig({}).adminTokens).toEqual([]);
  });

  it('names each bad entry by position and name, and never prints a token', () => {
    const found = problems({
      ADMIN_TOKENS: `bss:admin:${A},short:read:abc,bss:read:${B},${B}x,dup:read:${A}`,
      ADMIN_TOKEN: 'tiny',
      METRICS_TOKEN: 'also tiny',
    });
    expect(found).toEqual([
      'ADMIN_TOKEN=(hidden): must be at least 16 characters',
      "ADMIN_TOKENS=(hidden): entry 1 (bss): the scope must be 'read' or 'write'",
      'ADMIN_TOKENS=(hidden): entry 2 (short): the token must be at least 16 characters',
      'ADMIN_TOKENS=(hidden): entry 3 (bss): the name bss appears twice',
      'ADMIN_TOKENS=(hidden): entry 4: must be name:scope:token',
      'ADMIN_TOKENS=(hidden): entry 5 (dup): the token is the same as an earlier entry',
      'METRICS_TOKEN=(hidden): must be at least 16 characters',
      'METRICS_TOKEN=(hidden): must be printable ASCII without spaces',
    ]);
    const all = found.join('\n');
    for (const secret of [A, B, 'tiny', 'abc', 'also tiny']) expect(all).not.toContain(secret);
  });

  it('reads METRICS_TOKEN', () => {
    expect(loadConfig({ METRICS_TOKEN: B }).metricsToken).toBe(B);
  });
});

describe('DIAMETER_MAX_IN_FLIGHT', () => {
  it('defaults to 2000 and reads a whole number from 1 to 1000000', () => {
    expect(loadConfig({}).diameter.maxInFlight).toBe(2000);
    expect(loadConfig({ DIAMETER_MAX_IN_FLIGHT: '1' }).diameter.maxInFlight).toBe(1);
    expect(loadConfig({ DIAMETER_MAX_IN_FLIGHT: '500' }).diameter.maxInFlight).toBe(500);
    expect(loadConfig({ DIAMETER_MAX_IN_FLIGHT: '1000000' }).diameter.maxInFlight).toBe(1_000_000);
  });

  it('names the variable, the value and the bounds of a bad value', () => {
    for (const value of ['0', '-5', '1.5', '1e3', '0x10', 'many', '1000001', ' 200']) {
      expect(problems({ DIAMETER_MAX_IN_FLIGHT: value })).toEqual([
        `DIAMETER_MAX_IN_FLIGHT=${JSON.stringify(value)}: must be a whole number from 1 to 1000000`,
      ]);
    }
  });
});

describe('DIAMETER_ALLOWED_PEERS', () => {
  it('reads identities, alone or bound to an address or network', () => {
    expect(
      loadConfig({ DIAMETER_ALLOWED_PEERS: 'pgw1.example, pgw2.example@10.1.0.0/16,pgw2.example@192.0.2.7' })
        .diameter.allowedPeers,
    ).toEqual(['pgw1.example', 'pgw2.example@10.1.0.0/16', 'pgw2.example@192.0.2.7']);
  });

  it('names a bad entry and what is wrong with it', () => {
    const value = 'pgw1.example@10.0.0.0/40,bad host@10.0.0.1';
    expect(problems({ DIAMETER_ALLOWED_PEERS: value })).toEqual([
      `DIAMETER_ALLOWED_PEERS.0=${JSON.stringify(value)}: pgw1.example@10.0.0.0/40: the prefix length must be 0 to 32`,
      `DIAMETER_ALLOWED_PEERS.1=${JSON.stringify(value)}: bad host@10.0.0.1: bad host is not a host name`,
    ]);
  });
});

describe('rate limit and load shedding of the admin API in the configuration', () => {
  it('has defaults, and reads each variable', () => {
    expect(loadConfig({}).adminLimits).toEqual({
      rateLimitMax: 3000,
      rateLimitWindowMs: 60_000,
      shedEventLoopDelayMs: 1000,
      shedEventLoopUtilization: 0,
      shedHeapUsedBytes: 0,
      shedRetryAfterSeconds: 10,
    });
    expect(
      loadConfig({
        ADMIN_RATE_LIMIT_MAX: '0',
        ADMIN_RATE_LIMIT_WINDOW_SECONDS: '1',
        ADMIN_SHED_EVENT_LOOP_DELAY_MS: '0',
        ADMIN_SHED_EVENT_LOOP_UTILIZATION: '0.95',
        ADMIN_SHED_HEAP_USED_MB: '512',
        ADMIN_SHED_RETRY_AFTER_SECONDS: '30',
      }).adminLimits,
    ).toEqual({
      rateLimitMax: 0,
      rateLimitWindowMs: 1000,
      shedEventLoopDelayMs: 0,
      shedEventLoopUtilization: 0.95,
      shedHeapUsedBytes: 512 * 1024 * 1024,
      shedRetryAfterSeconds: 30,
    });
  });

  it('names each bad value and what it must be', () => {
    expect(
      problems({
        ADMIN_RATE_LIMIT_MAX: '-1',
        ADMIN_RATE_LIMIT_WINDOW_SECONDS: '0',
        ADMIN_SHED_EVENT_LOOP_DELAY_MS: '1e3',
        ADMIN_SHED_EVENT_LOOP_UTILIZATION: '1.5',
        ADMIN_SHED_HEAP_USED_MB: 'lots',
        ADMIN_SHED_RETRY_AFTER_SECONDS: '3601',
      }),
    ).toEqual([
      'ADMIN_RATE_LIMIT_MAX="-1": must be a whole number from 0 to 1000000',
      'ADMIN_RATE_LIMIT_WINDOW_SECONDS="0": must be a whole number from 1 to 86400',
      'ADMIN_SHED_EVENT_LOOP_DELAY_MS="1e3": must be a whole number from 0 to 60000',
      'ADMIN_SHED_EVENT_LOOP_UTILIZATION="1.5": must be a number from 0 to 1, e.g. 0.98 (0: off)',
      'ADMIN_SHED_HEAP_USED_MB="lots": must be a whole number from 0 to 1048576',
      'ADMIN_SHED_RETRY_AFTER_SECONDS="3601": must be a whole number from 1 to 3600',
    ]);
  });
});
