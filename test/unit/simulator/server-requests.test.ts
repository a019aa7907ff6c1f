/**
 * The simulator answers the server's RAR (RAA, then a CCR-U with Reporting-Reason
 * FORCED_REAUTHORISATION) and ASR (ASA, then the CCR-T), and counts them for the report.
 */
import { describe, expect, it } from 'vitest';
import { decodeTree, encodeMessage, type DecodedAvp } from '../../../src/diameter/avp-tree.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import type { DiameterMessage } from '../../../src/diameter/message.js';
import { AnswerInfo, NONE } from '../../../src/simulator/answers.js';
import { DataSession } from '../../../src/simulator/data-session.js';
import { SessionMaker } from '../../../src/simulator/kinds.js';
import { NO_CHARGES } from '../../../src/simulator/money.js';
import type { Peer } from '../../../src/simulator/peers.js';
import { formatReport } from '../../../src/simulator/report-text.js';
import { emptyReport } from '../../../src/simulator/report.js';
import { CcrWriter } from '../../../src/simulator/requests.js';
import { parseScenario } from '../../../src/simulator/scenario.js';
import { ServerRequestAnswers } from '../../../src/simulator/server-requests.js';
import { SessionBook } from '../../../src/simulator/session-book.js';
import { Stats } from '../../../src/simulator/stats.js';

const dict = defaultDictionary();
const MiB = 1_048_576;
const writer = new CcrWriter(dict, {
  originHost: 'pgw',
  originRealm: 'sim',
  destinationRealm: 'localdomain',
});
const scenario = parseScenario(`
mode: { type: concurrency, sessions: 1 }
stop: { sessions: 5 }
msisdn: { first: '8613800000000', count: 10 }
mix:
  - { kind: data, ratingGroups: [10], updates: 1, requestedOctets: ${MiB}, usedOctets: 1000 }
`);

function setup() {
  const maker = new SessionMaker(scenario);
  const book = new SessionBook(maker, new Stats(maker.kinds.map((k) => k.name)));
  const answered: [number, number][] = [];
  const peer = {
    index: 0,
    originHost: 'pgw',
    client: {
      answerServerRequest: (r: DiameterMessage, code: number) => answered.push([r.commandCode, code]),
    },
  } as unknown as Peer;
  const s = book.start(peer) as DataSession;
  return { book, peer, s, answered, answers: new ServerRequestAnswers(dict, book) };
}

function serverRequest(commandCode: number, sessionId: string): DiameterMessage {
  return decodeMessage(
    encodeMessage(dict, {
      commandCode,
      applicationId: 4,
      request: true,
      proxiable: true,
      hopByHop: 9,
      endToEnd: 9,
      avps: [
        ['Session-Id', sessionId],
        ['Origin-Host', 'ocs'],
        ['Origin-Realm', 'localdomain'],
        ['Destination-Realm', 'sim'],
        ['Destination-Host', 'pgw'],
        ['Auth-Application-Id', 4],
        ...(commandCode === 258 ? ([['Re-Auth-Request-Type', 0]] as const) : []),
      ],
    }),
  );
}

function answer(resultCode: number, granted: number, final = false): AnswerInfo {
  const a = new AnswerInfo();
  a.resultCode = resultCode;
  a.granted = NONE;
  a.msccCount = 1;
  a.msccRatingGroup[0] = 10;
  a.msccResultCode[0] = resultCode;
  a.msccGranted[0] = granted;
  a.msccFinalUnit[0] = final;
  return a;
}

/** The next request's type and its MSCC's Reporting-Reason. */
function next(s: DataSession) {
  const tree = decodeTree(dict, decodeMessage(s.write(writer, 1, 0)).avps);
  const mscc = tree.find((a) => a.name === 'Multiple-Services-Credit-Control')?.value as
    DecodedAvp[] | undefined;
  return {
    type: tree.find((a) => a.name === 'CC-Request-Type')?.value,
    reason: mscc?.find((a) => a.name === 'Reporting-Reason')?.value,
    asks: mscc?.some((a) => a.name === 'Requested-Service-Unit') ?? false,
  };
}

describe('the simulator and the server requests', () => {
  it('RAR: RAA 2001, then a CCR-U asking again with FORCED_REAUTHORISATION, even after its last grant', () => {
    const { s, answers, answered, peer } = setup();
    const money = NO_CHARGES;
    expect(next(s).type).toBe(1);
    s.onAnswer(answer(2001, MiB, true), money);
    answers.take(peer, serverRequest(258, s.id));
    expect(answered).toEqual([[258, 2001]]);
    expect(next(s)).toEqual({ type: 2, reason: 7, asks: true });
    s.onAnswer(answer(2001, MiB), money);
    // Once only: the CCR-T after it carries no reason of the RAR.
    expect(next(s)).toMatchObject({ type: 3, reason: undefined });
    expect(answers.counts).toEqual({ rar: 1, asr: 0, unknownSession: 0 });
  });

  it('ASR: ASA 2001, then the CCR-T', () => {
    const { s, answers, answered, peer } = setup();
    next(s);
    s.onAnswer(answer(2001, MiB), NO_CHARGES);
    answers.take(peer, serverRequest(274, s.id));
    expect(answered).toEqual([[274, 2001]]);
    expect(next(s).type).toBe(3);
  });

  it('a session over or unknown: 5002, counted', () => {
    const { book, s, answers, answered, peer } = setup();
    book.abort(s);
    answers.take(peer, serverRequest(258, s.id));
    answers.take(peer, serverRequest(274, 'nobody'));
    expect(answered).toEqual([
      [258, 5002],
      [274, 5002],
    ]);
    const report = emptyReport('x', 1, 'm', new Date(0));
    report.serverRequests = answers.counts;
    expect(formatReport(report)).toContain(
      'Server     RAR 1, ASR 1 received (2 for a session already over: 5002)',
    );
  });
});
