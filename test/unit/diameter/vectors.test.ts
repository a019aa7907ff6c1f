import { describe, expect, it } from 'vitest';
import { decodeTree, encodeMessage, treeToEntries } from '../../../src/diameter/avp-tree.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { CommandFlags } from '../../../src/diameter/message.js';
import { validateAvps } from '../../../src/diameter/validate.js';
import { member } from '../../support/diameter-peer.js';
import { loadVectors, vector } from '../../support/vectors.js';

const dict = defaultDictionary();

function tree(name: string) {
  return decodeTree(dict, decodeMessage(vector(name)).avps);
}

function top(name: string, avp: string) {
  return tree(name).find((a) => a.name === avp)?.value;
}

describe('captured Erlang/OTP vectors', () => {
  it.each(loadVectors().map((v) => [v.name, v.bytes] as const))(
    '%s decodes and re-encodes to the same bytes',
    (_name, bytes) => {
      const message = decodeMessage(bytes);
      const decoded = decodeTree(dict, message.avps);
      const again = encodeMessage(dict, {
        commandCode: message.commandCode,
        applicationId: message.applicationId,
        request: (message.flags & CommandFlags.Request) !== 0,
        proxiable: (message.flags & CommandFlags.Proxiable) !== 0,
        error: (message.flags & CommandFlags.Error) !== 0,
        retransmitted: (message.flags & CommandFlags.Retransmitted) !== 0,
        hopByHop: message.hopByHop,
        endToEnd: message.endToEnd,
        avps: treeToEntries(decoded),
      });
      expect(again.toString('hex')).toBe(bytes.toString('hex'));
    },
  );

  it('every request passes validation except the one with an unknown mandatory AVP', () => {
    for (const v of loadVectors()) {
      const m = decodeMessage(v.bytes);
      if (!(m.flags & CommandFlags.Request)) continue;
      const failure = validateAvps(dict, m.avps, dict.command(m.commandCode, m.applicationId)?.request);
      if (v.name.includes('unknownM')) {
        expect(failure?.resultCode).toBe(5001);
        expect(failure?.failedAvp?.code).toBe(65000);
      } else {
        expect(failure, v.name).toBeUndefined();
      }
    }
  });

  it('reads a data CCR-I as Wireshark does', () => {
    const name = 'CCR:32251-I-rsu-svcinfo';
    expect(top(name, 'CC-Request-Type')).toBe(1);
    expect(top(name, 'CC-Request-Number')).toBe(0);
    expect(top(name, 'Service-Context-Id')).toBe('32251@3gpp.org');
    expect(top(name, 'Auth-Application-Id')).toBe(4);
    const sub = top(name, 'Subscription-Id');
    expect(member(sub, 'Subscription-Id-Type')).toBe(0);
    expect(typeof member(sub, 'Subscription-Id-Data')).toBe('string');
    const mscc = top(name, 'Multiple-Services-Credit-Control');
    expect(member(mscc, 'Rating-Group')).toBeTypeOf('number');
    expect(member(member(mscc, 'Requested-Service-Unit'), 'CC-Total-Octets')).toBeTypeOf('bigint');
    const ps = member(top(name, 'Service-Information'), 'PS-Information');
    expect(member(ps, 'Called-Station-Id')).toBe('internet');
  });

  it('reads the voice CCR-I IMS-Information', () => {
    const ims = member(top('CCR:32260-I-rsu-svcinfo', 'Service-Information'), 'IMS-Information');
    expect(member(ims, 'Calling-Party-Address')).toMatch(/^tel:\+\d+$/);
    expect(member(ims, 'Called-Party-Address')).toMatch(/^(tel|sip):/);
    expect(member(ims, 'Role-Of-Node')).toBe(0);
  });

  it('reads Final-Unit-Indication and a 4012 answer', () => {
    const mscc = top('CCA:U-fui-gsu-rc2001', 'Multiple-Services-Credit-Control');
    expect(member(member(mscc, 'Final-Unit-Indication'), 'Final-Unit-Action')).toBe(0);
    expect(top('CCA:U-rc4012', 'Result-Code')).toBe(4012);
  });

  it('reads the Failed-AVP of the 5001 answer', () => {
    const failed = top('CCA:I-failedavp-rc5001', 'Failed-AVP');
    expect(Array.isArray(failed) && failed[0]?.code).toBe(65000);
    expect(top('CCA:I-failedavp-rc5001', 'Result-Code')).toBe(5001);
  });
});
