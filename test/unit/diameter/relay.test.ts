/**
 * What the peer layer does for requests that came through relays and proxies (RFC 6733 §6),
 * without a server: which requests are ours to serve, and where Proxy-Info goes in an answer.
 */
import { describe, expect, it } from 'vitest';
import { encodeErrorAnswer, type LocalIdentity } from '../../../src/diameter/answers.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { MessageWriter } from '../../../src/diameter/encode.js';
import { AvpFlags, type Avp, type MessageHeader } from '../../../src/diameter/message.js';
import { LocalDelivery } from '../../../src/diameter/peer/delivery.js';

const dict = defaultDictionary();
const avps = resolveAvps(dict);
const identity: LocalIdentity = {
  originHost: 'ocs.example.net',
  originRealm: 'example.net',
  originStateId: 1,
  productName: 'gy-ocs',
  vendorId: 0,
  firmwareRevision: 1,
};

function text(code: number, value: string): Avp {
  return { code, vendorId: 0, flags: AvpFlags.Mandatory, data: Buffer.from(value) };
}
const destinationHost = (v: string) => text(avps.destinationHost.code, v);
const routeRecord = (v: string) => text(avps.routeRecord.code, v);
const destinationRealm = (v: string) => text(avps.destinationRealm.code, v);
const originHost = text(avps.originHost.code, 'pcef.example.net');

describe('LocalDelivery (RFC 6733 §6.1.3, §6.1.4)', () => {
  const delivery = new LocalDelivery(avps, identity);

  it('serves a request without Destination-Host or with ours, in any case', () => {
    expect(delivery.refusal([originHost])).toBeUndefined();
    expect(delivery.refusal([originHost, destinationHost('ocs.example.net')])).toBeUndefined();
    expect(delivery.refusal([destinationHost('OCS.Example.NET')])).toBeUndefined();
  });

  it('refuses another Destination-Host with 3002, naming it in Failed-AVP', () => {
    const other = destinationHost('ocs2.example.net');
    expect(delivery.refusal([originHost, other])).toEqual({
      resultCode: 3002,
      reason: expect.stringContaining('ocs2.example.net'),
      failedAvp: other,
    });
  });

  it('refuses, without Destination-Host, another Destination-Realm with 3003, naming it in Failed-AVP', () => {
    expect(delivery.refusal([originHost, destinationRealm('Example.Net')])).toBeUndefined();
    const other = destinationRealm('other.example');
    expect(delivery.refusal([originHost, other])).toEqual({
      resultCode: 3003,
      reason: expect.stringContaining('other.example'),
      failedAvp: other,
    });
    // Destination-Host names us: ours to serve, whatever the realm says (RFC 6733 §6.1.4).
    expect(delivery.refusal([destinationHost('ocs.example.net'), other])).toBeUndefined();
  });

  it('accepts Route-Record of other hosts and refuses one naming us with 3005', () => {
    const hops = [routeRecord('pcef.example.net'), routeRecord('dra.example.net')];
    expect(delivery.refusal([originHost, ...hops])).toBeUndefined();
    const us = routeRecord('Ocs.Example.Net');
    expect(delivery.refusal([originHost, ...hops, us])).toEqual({
      resultCode: 3005,
      reason: expect.any(String),
      failedAvp: us,
    });
  });

  it('reports the loop before the destination: the request has been here already', () => {
    const refusal = delivery.refusal([destinationHost('ocs2.example.net'), routeRecord('ocs.example.net')]);
    expect(refusal?.resultCode).toBe(3005);
  });
});

describe('Proxy-Info in error answers (RFC 6733 §6.2, §7.2)', () => {
  const header: MessageHeader = {
    version: 1,
    length: 0,
    flags: 0xc0,
    commandCode: 272,
    applicationId: 4,
    hopByHop: 7,
    endToEnd: 7,
  };
  const proxyInfo = (host: string): Avp => {
    const w = new MessageWriter();
    const group = w
      .begin({ flags: 0, commandCode: 0, applicationId: 0, hopByHop: 0, endToEnd: 0 })
      .beginGroup(avps.proxyInfo)
      .text(dict.avpByName('Proxy-Host'), host)
      .raw({
        code: dict.avpByName('Proxy-State').code,
        vendorId: 0,
        flags: AvpFlags.Mandatory,
        data: Buffer.from('s'),
      })
      .endGroup()
      .finish();
    return decodeMessage(group).avps[0]!;
  };

  function answerAvpCodes(error: { resultCode: number; failedAvp?: Avp }, request: Avp[]): number[] {
    const answer = encodeErrorAnswer(new MessageWriter(), avps, identity, header, request, {
      ...error,
      reason: 'refused',
    });
    return decodeMessage(answer).avps.map((a) => a.code);
  }

  it('copies every Proxy-Info but one that is itself the Failed-AVP', () => {
    const good = proxyInfo('dra1.example.net');
    const broken: Avp = { ...proxyInfo('dra2.example.net'), data: Buffer.from([0, 0, 1]) };
    const request = [originHost, good, broken, proxyInfo('dra3.example.net')];
    const codes = answerAvpCodes({ resultCode: 5004, failedAvp: broken }, request);
    expect(codes.filter((c) => c === avps.proxyInfo.code)).toHaveLength(2);
  });

  it('puts Proxy-Info after Failed-AVP in an answer-message, before Error-Message in a CCA', () => {
    const request = [originHost, proxyInfo('dra1.example.net')];
    const failedAvp = destinationHost('ocs2.example.net');
    const PI = avps.proxyInfo.code;
    const EM = avps.errorMessage.code;
    const FA = avps.failedAvp.code;
    const protocol = answerAvpCodes({ resultCode: 3002, failedAvp }, request);
    expect(protocol.slice(-3)).toEqual([EM, FA, PI]);
    const application = answerAvpCodes({ resultCode: 5004, failedAvp }, request);
    expect(application.slice(-3)).toEqual([PI, EM, FA]);
  });
});
