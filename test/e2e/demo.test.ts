/**
 * `ocs demo --once` in-process, as a newcomer runs it (`npm run demo`), on the tests' Redis and
 * free ports, with a 2-second load: the tour, the load's report with every answer as expected
 * and consistent money, the balances and CDRs that moved, the curl lines, and exit code 0.
 */
import { afterEach, expect, inject, it, vi } from 'vitest';
import { demo } from '../../src/commands/demo.js';
import { loadConfig } from '../../src/config/config.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

it('walks through the outcomes, runs the load, shows what moved, and stops with 0', async () => {
  vi.stubEnv('DEMO_SECONDS', '2');
  vi.stubEnv('LOG_LEVEL', 'silent');
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  const config = loadConfig({
    DIAMETER_HOST: '127.0.0.1',
    DIAMETER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    REDIS_URL: inject('redisUrl'),
    LOG_LEVEL: 'silent',
  });

  const code = await demo.run(['--once'], config);
  const out = lines.join('\n');

  expect(code, out).toBe(0);
  // The tour: each outcome in turn.
  expect(out).toMatch(/dials short number 6001 \(VPN\)\s+-> 2001/);
  for (const rc of ['4012', '4010', '5030', '4011']) expect(out).toContain(`-> ${rc}`);
  // The load's report: every request type answered as expected, and the money consistent.
  expect(out).toContain('Scenario demo: ');
  for (const type of ['CCR-I', 'CCR-U', 'CCR-T', 'CCR-E'])
    expect(out).toMatch(new RegExp(`^ {2}${type} +2001 x`, 'm'));
  expect(out).toContain('Unexpected answers: none');
  expect(out).toContain('Result: OK');
  expect(out).toMatch(/^Money {6}the 1,000 load accounts spent \d+, the tariff gives \d+; .*: consistent$/m);
  // What moved: the members' free minutes, with the CDRs of their short-number calls.
  expect(out).toMatch(/vpn:vpn-300:L0 .* \(\+\d+ spent here\)/);
  expect(out).toMatch(/voice +90 s to 8613\d+ +charged vpn:vpn-300:L0 120/);
  expect(out).toMatch(/curl -s .*\/v1\/accounts\/8613800000002/);
}, 60_000);
