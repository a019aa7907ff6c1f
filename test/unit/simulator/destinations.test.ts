/** Scenarios that call a tariff's destinations in turn and reach APNs in turn. */
import { describe, expect, it } from 'vitest';
import { DataSession } from '../../../src/simulator/data-session.js';
import { SessionMaker } from '../../../src/simulator/kinds.js';
import { parseScenario } from '../../../src/simulator/scenario.js';
import { VoiceSession } from '../../../src/simulator/voice-session.js';

const SCENARIO = `
mode: { type: rate, ccrPerSecond: 100 }
stop: { duration: 10 }
msisdn: { first: '8613800000000', count: 100 }
mix:
  - { kind: voice, destinations: ['8613900000001', '861062345678', '12125550100'] }
  - { kind: data, apns: [ims, internet], networks: ['46000', '310410'] }
`;

describe('destination lists and APNs in a scenario', () => {
  it('calls the listed numbers in turn and sends the APNs in turn', () => {
    const maker = new SessionMaker(parseScenario(SCENARIO));
    const called: string[] = [];
    const apns: (string | undefined)[] = [];
    for (let i = 0; i < 40 && (called.length < 4 || apns.length < 3); i++) {
      const s = maker.make(0, 'pgw.example');
      if (s instanceof VoiceSession) called.push(s.called);
      if (s instanceof DataSession) apns.push(`${s.access.apn} ${s.access.sgsnMccMnc}`);
    }
    expect(called.slice(0, 4)).toEqual([
      'tel:+8613900000001',
      'tel:+861062345678',
      'tel:+12125550100',
      'tel:+8613900000001',
    ]);
    expect(apns.slice(0, 3)).toEqual(['ims 46000', 'internet 310410', 'ims 46000']);
  });

  it('refuses a destination that is not E.164 digits', () => {
    expect(() => parseScenario(SCENARIO.replace("'12125550100'", "'+1 212'"), 'test.yaml')).toThrow(
      /mix\[0\]\.destinations\[2\]|mix\.0\.destinations\.2/,
    );
  });
});
