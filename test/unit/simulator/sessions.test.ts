import { describe, expect, it } from 'vitest';
import { decodeTree, type DecodedAvp } from '../../../src/diameter/avp-tree.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { AnswerInfo, NONE } from '../../../src/simulator/answers.js';
import { ExpectedMoney } from '../../../src/simulator/money.js';
import { CcrWriter } from '../../../src/simulator/requests.js';
import {
  parseScenario,
  type DataSpec,
  type KindSpec,
  type VoiceSpec,
} from '../../../src/simulator/scenario.js';
import { DataSession } from '../../../src/simulator/data-session.js';
import { EventSession } from '../../../src/simulator/event-session.js';
import type { SimSession } from '../../../src/simulator/sessions.js';
import { VoiceSession } from '../../../src/simulator/voice-session.js';

const dict = defaultDictionary();
const writer = new CcrWriter(dict, {
  originHost: 'pgw',
  originRealm: 'sim',
  destinationRealm: 'localdomain',
});
const MiB = 1_048_576;

function kind(yaml: string): KindSpec {
  return parseScenario(`
mode: { type: concurrency, sessions: 1 }
stop: { sessions: 1 }
msisdn: { first: '8613800000000', count: 10 }
mix:
  - ${yaml}
`).mix[0]!;
}

interface Mscc {
  rg: number;
  code?: number;
  granted?: number;
  final?: boolean;
}

function answer(resultCode: number, mscc: Mscc[] = [], granted = NONE): AnswerInfo {
  const a = new AnswerInfo();
  a.resultCode = resultCode;
  a.granted = granted;
  a.msccCount = mscc.length;
  mscc.forEach((m, i) => {
    a.msccRatingGroup[i] = m.rg;
    a.msccResultCode[i] = m.code ?? resultCode;
    a.msccGranted[i] = m.granted ?? NONE;
    a.msccFinalUnit[i] = m.final ?? false;
  });
  return a;
}

/** The session's next request, decoded: type, number and its MSCCs as [rg, requested, used]. */
function next(s: SimSession) {
  const tree = decodeTree(dict, decodeMessage(s.write(writer, 1, 0)).avps);
  const find = (list: DecodedAvp[], name: string) => list.find((a) => a.name === name)?.value;
  const units = (v: DecodedAvp['value'] | undefined) =>
    Array.isArray(v) ? Number(v[0]?.value as number | bigint) : undefined;
  return {
    type: find(tree, 'CC-Request-Type'),
    number: find(tree, 'CC-Request-Number'),
    mscc: tree
      .filter((a) => a.name === 'Multiple-Services-Credit-Control')
      .map((a) => {
        const m = a.value as DecodedAvp[];
        return [
          find(m, 'Rating-Group'),
          units(find(m, 'Requested-Service-Unit')),
          units(find(m, 'Used-Service-Unit')),
        ];
      }),
    called: (() => {
      const si = find(tree, 'Service-Information') as DecodedAvp[] | undefined;
      const ims = si ? (find(si, 'IMS-Information') as DecodedAvp[]) : undefined;
      return ims ? find(ims, 'Called-Party-Address') : undefined;
    })(),
    tree,
  };
}

const tariff = parseScenario(`
mode: { type: concurrency, sessions: 1 }
stop: { sessions: 1 }
msisdn: { first: '8613800000000', count: 10 }
mix: [{ kind: sms }]
provision:
  tariff:
    id: t
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
    sms: { pricePerMessage: 10 }
    data: { ratingGroups: { '10': { unitOctets: ${MiB}, pricePerUnit: 30 }, '20': { unitOctets: ${MiB}, pricePerUnit: 10 } } }
`).provision!.tariff;

describe('DataSession', () => {
  const spec = kind(
    `{ kind: data, ratingGroups: [10, 20], updates: 2, requestedOctets: ${MiB}, usedOctets: 1000000 }`,
  ) as DataSpec;

  it('sends I, U, U, T reporting what it used, never more than was granted', () => {
    const money = new ExpectedMoney(tariff);
    const s = new DataSession(0, 's;1', '8613800000001', spec);
    expect(next(s)).toMatchObject({
      type: 1,
      number: 0,
      mscc: [
        [10, MiB, undefined],
        [20, MiB, undefined],
      ],
    });
    s.onAnswer(
      answer(2001, [
        { rg: 10, granted: MiB },
        { rg: 20, granted: 500_000 },
      ]),
      money,
    );
    expect(next(s)).toMatchObject({
      type: 2,
      number: 1,
      mscc: [
        [10, MiB, 1_000_000],
        [20, MiB, 500_000],
      ],
    });
    s.onAnswer(
      answer(2001, [
        { rg: 10, granted: MiB },
        { rg: 20, granted: MiB },
      ]),
      money,
    );
    expect(next(s)).toMatchObject({
      type: 2,
      number: 2,
      mscc: [
        [10, MiB, 1_000_000],
        [20, MiB, 1_000_000],
      ],
    });
    s.onAnswer(
      answer(2001, [
        { rg: 10, granted: MiB },
        { rg: 20, granted: MiB },
      ]),
      money,
    );
    expect(next(s)).toMatchObject({
      type: 3,
      number: 3,
      mscc: [
        [10, undefined, 1_000_000],
        [20, undefined, 1_000_000],
      ],
    });
    expect(s.done).toBe(false);
    s.onAnswer(answer(2001), money);
    expect(s.done).toBe(true);
    expect(s.refused).toBe(false);
    // Each report costs its started MiB: 3 × 30 on RG 10, 3 × 10 on RG 20.
    expect(money.total).toBe(120);
    expect(money.reports).toBe(6);
  });

  it('ends without a CCR-T when the CCR-I is refused: the server opened no session', () => {
    const s = new DataSession(0, 's;2', '8613800000001', spec);
    next(s);
    s.onAnswer(answer(4012, [{ rg: 10 }, { rg: 20 }]), new ExpectedMoney(tariff));
    expect([s.done, s.refused]).toEqual([true, true]);
  });

  it('drops a refused rating group and goes on with the others', () => {
    const s = new DataSession(0, 's;3', '8613800000001', spec);
    next(s);
    s.onAnswer(
      answer(2001, [
        { rg: 10, granted: MiB },
        { rg: 20, code: 4012 },
      ]),
      new ExpectedMoney(tariff),
    );
    expect(s.refused).toBe(true);
    expect(next(s)).toMatchObject({ type: 2, mscc: [[10, MiB, 1_000_000]] });
  });

  it('after a refused CCR-U, sends its CCR-T with nothing used; the refused report was still charged', () => {
    const money = new ExpectedMoney(tariff);
    const s = new DataSession(
      0,
      's;4',
      '8613800000001',
      kind(`{ kind: data, ratingGroups: [10], updates: 3, usedOctets: ${MiB} }`) as DataSpec,
    );
    next(s);
    s.onAnswer(answer(2001, [{ rg: 10, granted: MiB }]), money);
    next(s);
    s.onAnswer(answer(4012, [{ rg: 10, code: 4012 }]), money);
    expect(money.total).toBe(30);
    expect(next(s)).toMatchObject({ type: 3, number: 2, mscc: [[10, undefined, 0]] });
    s.onAnswer(answer(2001), money);
    expect([s.done, s.refused, money.total]).toEqual([true, true, 30]);
  });

  it('goes to its CCR-T once the grant is final', () => {
    const s = new DataSession(
      0,
      's;5',
      '8613800000001',
      kind(`{ kind: data, ratingGroups: [10], updates: 5 }`) as DataSpec,
    );
    next(s);
    s.onAnswer(answer(2001, [{ rg: 10, granted: 300_000, final: true }]), new ExpectedMoney(tariff));
    expect(next(s)).toMatchObject({ type: 3, number: 1, mscc: [[10, undefined, 300_000]] });
  });
});

describe('VoiceSession', () => {
  const spec = kind(
    `{ kind: voice, callSeconds: 150, chunkSeconds: 60, called: { first: '8613900000000', count: 5 } }`,
  ) as VoiceSpec;

  it('asks a chunk at a time, reports whole grants, and the rest in the CCR-T', () => {
    const money = new ExpectedMoney(tariff);
    const s = new VoiceSession(0, 'v;1', '8613800000002', spec, 'tel:+8613800000002', 'tel:6001', false);
    expect(next(s)).toMatchObject({ type: 1, mscc: [[100, 60, undefined]], called: 'tel:6001' });
    s.onAnswer(answer(2001, [{ rg: 100, granted: 60 }]), money);
    expect(next(s)).toMatchObject({ type: 2, mscc: [[100, 60, 60]] });
    s.onAnswer(answer(2001, [{ rg: 100, granted: 60 }]), money);
    expect(next(s)).toMatchObject({ type: 2, mscc: [[100, 60, 60]] });
    s.onAnswer(answer(2001, [{ rg: 100, granted: 60 }]), money);
    expect(next(s)).toMatchObject({ type: 3, number: 3, mscc: [[100, undefined, 30]] });
    s.onAnswer(answer(2001), money);
    expect(s.done).toBe(true);
    expect(money.total).toBe(45);
  });

  it('ends the call within final units', () => {
    const money = new ExpectedMoney(tariff);
    const s = new VoiceSession(
      0,
      'v;2',
      '8613800000002',
      spec,
      'tel:+8613800000002',
      'tel:+8613900000000',
      true,
    );
    next(s);
    s.onAnswer(answer(2001, [{ rg: 100, granted: 60, final: true }]), money);
    expect(next(s)).toMatchObject({ type: 3, mscc: [[100, undefined, 60]] });
    s.onAnswer(answer(2001), money);
    expect([money.total, money.vpn]).toEqual([0, 15]);
  });
});

describe('EventSession', () => {
  it('sends one SMS CCR-E and prices what was granted', () => {
    const money = new ExpectedMoney(tariff);
    const s = new EventSession(0, 'e;1', '8613800000003', kind('{ kind: sms, messages: 2 }') as never);
    const req = next(s);
    expect(req.type).toBe(4);
    expect(req.tree.find((a) => a.name === 'Requested-Action')?.value).toBe(0);
    s.onAnswer(answer(2001, [], 2), money);
    expect([s.done, s.refused, money.total]).toEqual([true, false, 20]);
  });

  it('sends a data debit in an MSCC and counts a refusal', () => {
    const money = new ExpectedMoney(tariff);
    const s = new EventSession(
      0,
      'e;2',
      '8613800000003',
      kind('{ kind: debit, service: data, units: 3000000, ratingGroup: 10 }') as never,
    );
    expect(next(s)).toMatchObject({ type: 4, mscc: [[10, 3_000_000, undefined]] });
    s.onAnswer(answer(4012, [{ rg: 10 }]), money);
    expect([s.done, s.refused, money.total]).toEqual([true, true, 0]);
  });
});
