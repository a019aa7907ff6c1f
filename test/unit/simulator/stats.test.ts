import { describe, expect, it } from 'vitest';
import { cpuSince, processCpu } from '../../../src/simulator/cpu.js';
import { latencySvg, niceCeiling, percentileX } from '../../../src/simulator/report-svg.js';
import { distributionPercentiles } from '../../../src/simulator/latency.js';
import { formatReport } from '../../../src/simulator/report-text.js';
import { emptyReport } from '../../../src/simulator/report.js';
import { Stats } from '../../../src/simulator/stats.js';

function sampleReport() {
  const stats = new Stats(['data', 'sms']);
  stats.kind('data').started = 3;
  stats.kind('data').completed = 3;
  stats.kind('sms').started = 1;
  stats.kind('sms').aborted = 1;
  for (let i = 1; i <= 1000; i++) {
    stats.sent[1]!++;
    stats.answer(1, i * 10, 2001); // 10 µs .. 10 ms
  }
  stats.sent[4]! += 2;
  stats.answer(4, 2000, 5030);
  stats.timeout(4);
  stats.mscc(2001);
  stats.mscc(4012);
  stats.unexpectedAnswer(4, 'command', 5030, 'sim1;x;9', () => 'no Subscription-Id names a known subscriber');
  stats.unexpectedAnswer(4, 'command', 5030, 'sim1;x;10', () => {
    throw new Error('read only for the first of its kind');
  });
  const report = emptyReport('unit', 1, 'rate 10 CCR/s', new Date(Date.UTC(2026, 0, 1)));
  report.seconds = 2;
  stats.fill(report);
  return report;
}

describe('Stats', () => {
  it('fills counters, codes and latency percentiles in milliseconds', () => {
    const r = sampleReport();
    expect(r.ccr).toMatchObject({ sent: 1002, answered: 1001, timedOut: 1, unanswered: 0, perSecond: 500.5 });
    expect(r.ccr.byType).toEqual({
      'CCR-I': { sent: 1000, answered: 1000, timedOut: 0 },
      'CCR-E': { sent: 2, answered: 1, timedOut: 1 },
    });
    expect(r.resultCodes).toEqual({ 'CCR-I': { '2001': 1000 }, 'CCR-E': { '5030': 1 } });
    expect(r.msccResultCodes).toEqual({ '2001': 1, '4012': 1 });
    expect(r.unexpected).toEqual([
      {
        request: 'CCR-E',
        level: 'command',
        resultCode: 5030,
        count: 2,
        exampleSessionId: 'sim1;x;9',
        errorMessage: 'no Subscription-Id names a known subscriber',
      },
    ]);
    expect(r.unexpectedTotal).toBe(2);
    const i = r.latencyMs['CCR-I']!;
    expect(i.count).toBe(1000);
    expect(i.p50).toBeCloseTo(5, 1);
    expect(i.p90).toBeCloseTo(9, 1);
    expect(i.p99).toBeCloseTo(9.9, 1);
    expect(i.max).toBeCloseTo(10, 1);
    expect(i.p999).toBeLessThanOrEqual(i.max);
    expect(i.distribution.map(([p]) => p)).toEqual(
      distributionPercentiles().map((p) => Math.round(p * 1000) / 1000),
    );
    expect(r.latencyMs.all?.count).toBe(1001);
    expect(r.sessions).toEqual({
      data: { started: 3, completed: 3, refused: 0, aborted: 0 },
      sms: { started: 1, completed: 0, refused: 0, aborted: 1 },
      total: { started: 4, completed: 3, refused: 0, aborted: 1 },
    });
  });

  it('prints the report with the unexpected answers shown', () => {
    const r = sampleReport();
    r.cpu.simulator = { userMs: 100, systemMs: 20, microsPerCcr: 3.2 };
    r.money = {
      expected: 1234,
      expectedVpn: 0,
      spent: 1234,
      reservedChange: 0,
      totalChange: 0,
      accounts: 5,
      consistent: true,
    };
    r.ok = false;
    const text = formatReport(r);
    expect(text).toContain('CCRs       sent 1,002, answered 1,001, timed out 1: 500.5 CCR/s');
    expect(text).toContain('  CCR-E    5030 x 1');
    expect(text).toContain('Unexpected answers: 2');
    expect(text).toContain('CCR-E    5030 x 2  e.g. sim1;x;9: no Subscription-Id names a known subscriber');
    expect(text).toMatch(/ {2}CCR-I {9}1,000 +5\.\d{3} +9\.\d{3} +9\.\d{3} +\d+\.\d{3} +10\.\d{3}/);
    expect(text).toContain('CPU        simulator 3.2 µs per CCR');
    expect(text).toContain('spent 1,234 over 5 accounts, reserved change 0, total change 0: consistent');
    expect(text.split('\n').at(-1)).toBe('Result: FAILED (see above)');
  });
});

describe('CPU time', () => {
  it('reads a process from /proc and divides by the CCRs answered', () => {
    const mine = processCpu(process.pid);
    if (process.platform === 'linux') expect(mine?.userMs).toBeGreaterThan(0);
    expect(processCpu(2 ** 30)).toBeUndefined();
    expect(cpuSince({ userMs: 100, systemMs: 50 }, { userMs: 400, systemMs: 150 }, 1000)).toEqual({
      userMs: 300,
      systemMs: 100,
      microsPerCcr: 400,
    });
    expect(cpuSince({ userMs: 0, systemMs: 0 }, { userMs: 1, systemMs: 0 }, 0).microsPerCcr).toBe(0);
  });
});

describe('latencySvg', () => {
  it('draws one line per request type on a percentile axis', () => {
    const svg = latencySvg(sampleReport());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3); // CCR-I, CCR-E, all
    expect(svg).toContain('99.99%');
    // Every opened element is closed (a cheap well-formedness check).
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it('maps percentiles to decades of nines and rounds the axis up', () => {
    expect(percentileX(0)).toBe(0);
    expect(percentileX(90)).toBeCloseTo(1, 10);
    expect(percentileX(99.9)).toBeCloseTo(3, 10);
    expect(percentileX(100)).toBe(6);
    expect([niceCeiling(0), niceCeiling(0.7), niceCeiling(3), niceCeiling(12), niceCeiling(51)]).toEqual([
      1, 1, 5, 20, 100,
    ]);
  });
});
