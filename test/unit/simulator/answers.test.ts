import { describe, expect, it } from 'vitest';
import type { CreditControlAnswer } from '../../../src/credit-control/types.js';
import { encodeMessage } from '../../../src/diameter/avp-tree.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { encodeCreditControlAnswer } from '../../../src/diameter/cca-encode.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { MessageWriter } from '../../../src/diameter/encode.js';
import {
  AnswerInfo,
  MalformedAnswerError,
  NONE,
  errorMessageOf,
  readAnswer,
} from '../../../src/simulator/answers.js';
import { CcrWriter, RequestType } from '../../../src/simulator/requests.js';

const dict = defaultDictionary();
const avps = resolveAvps(dict);
const identity = {
  originHost: 'ocs.localdomain',
  originRealm: 'localdomain',
  originStateId: 1,
  productName: 'test',
  vendorId: 0,
  firmwareRevision: 1,
};
const ccrs = new CcrWriter(dict, { originHost: 'pgw', originRealm: 'sim', destinationRealm: 'localdomain' });

/** The CCA the server's own encoder writes for `answer` to a data CCR-I. */
function cca(answer: CreditControlAnswer, hopByHop = 77): Buffer {
  const request = decodeMessage(
    ccrs
      .begin(hopByHop, 's;1', 'data', RequestType.initial, 0, '8613800000001')
      .mscc('data', 10, 1000, -1)
      .finish(),
  );
  return encodeCreditControlAnswer(new MessageWriter(), avps, identity, request, answer);
}

describe('readAnswer', () => {
  it('reads hop-by-hop, Result-Code and each MSCC of an answer the server encoder wrote', () => {
    const frame = cca(
      {
        resultCode: 2001,
        services: [
          { resultCode: 2001, ratingGroup: 10, granted: { totalOctets: 6_000_000_000 }, validityTime: 3600 },
          { resultCode: 4012, ratingGroup: 20 },
          {
            resultCode: 2001,
            ratingGroup: 30,
            granted: { totalOctets: 1000 },
            finalUnitIndication: { action: 'terminate' },
          },
        ],
        creditControlFailureHandling: 'terminate',
      },
      0xfffffffe,
    );
    const a = readAnswer(frame, new AnswerInfo());
    expect(a.hopByHop).toBe(0xfffffffe);
    expect(a.commandCode).toBe(272);
    expect(a.errorBit).toBe(false);
    expect(a.resultCode).toBe(2001);
    expect(a.granted).toBe(NONE);
    expect(a.msccCount).toBe(3);
    expect(a.msccRatingGroup.slice(0, 3)).toEqual([10, 20, 30]);
    expect(a.msccResultCode.slice(0, 3)).toEqual([2001, 4012, 2001]);
    expect(a.msccGranted.slice(0, 3)).toEqual([6_000_000_000, NONE, 1000]);
    expect(a.msccFinalUnit.slice(0, 3)).toEqual([false, false, true]);
    expect(a.msccIndex(20)).toBe(1);
    expect(a.msccIndex(99)).toBe(-1);
  });

  it('reads command-level grants (CC-Time, service-specific units) and final units', () => {
    const a = new AnswerInfo();
    readAnswer(
      cca({
        resultCode: 2001,
        services: [],
        granted: { time: 60 },
        finalUnitIndication: { action: 'terminate' },
      }),
      a,
    );
    expect([a.resultCode, a.granted, a.finalUnit, a.msccCount]).toEqual([2001, 60, true, 0]);
    readAnswer(cca({ resultCode: 2001, services: [], granted: { serviceSpecificUnits: 3 } }), a);
    expect([a.granted, a.finalUnit]).toEqual([3, false]);
    readAnswer(cca({ resultCode: 2001, services: [], granted: { inputOctets: 10, outputOctets: 5 } }), a);
    expect(a.granted).toBe(15);
  });

  it('keeps the Error-Message where it is, for reading only when shown', () => {
    const frame = cca({
      resultCode: 5030,
      services: [],
      errorMessage: 'no Subscription-Id names a known subscriber',
    });
    const a = readAnswer(frame, new AnswerInfo());
    expect(a.resultCode).toBe(5030);
    expect(errorMessageOf(frame, a)).toBe('no Subscription-Id names a known subscriber');
    expect(
      errorMessageOf(
        cca({ resultCode: 2001, services: [] }),
        readAnswer(cca({ resultCode: 2001, services: [] }), new AnswerInfo()),
      ),
    ).toBeUndefined();
  });

  it('reads Experimental-Result-Code and the E bit of a protocol error', () => {
    const frame = encodeMessage(dict, {
      commandCode: 272,
      applicationId: 4,
      request: false,
      error: true,
      hopByHop: 5,
      endToEnd: 5,
      avps: [
        ['Session-Id', 's;1'],
        ['Origin-Host', 'ocs'],
        ['Origin-Realm', 'localdomain'],
        [
          'Experimental-Result',
          [
            ['Vendor-Id', 10415],
            ['Experimental-Result-Code', 5030],
          ],
        ],
      ],
    });
    const a = readAnswer(frame, new AnswerInfo());
    expect([a.hopByHop, a.resultCode, a.errorBit]).toEqual([5, 5030, true]);
  });

  it('clears what the previous answer left in the reused object', () => {
    const a = new AnswerInfo();
    readAnswer(
      cca({
        resultCode: 2001,
        services: [{ resultCode: 2001, ratingGroup: 10, granted: { totalOctets: 5 } }],
      }),
      a,
    );
    readAnswer(cca({ resultCode: 4012, services: [] }), a);
    expect([a.resultCode, a.msccCount, a.granted, a.errorMessageAt]).toEqual([4012, 0, NONE, -1]);
  });

  it('refuses an AVP whose length runs past the message', () => {
    const frame = Buffer.from(cca({ resultCode: 2001, services: [] }));
    frame.writeUIntBE(0xffff, 20 + 5, 3); // the first AVP's length
    expect(() => readAnswer(frame, new AnswerInfo())).toThrow(MalformedAnswerError);
  });
});
