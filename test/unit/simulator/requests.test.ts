import { describe, expect, it } from 'vitest';
import { decodeTree, type DecodedAvp } from '../../../src/diameter/avp-tree.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { decodeCreditControlRequest } from '../../../src/diameter/ccr-decode.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { CommandFlags } from '../../../src/diameter/message.js';
import { validateAvps } from '../../../src/diameter/validate.js';
import { CcrWriter, RequestType } from '../../../src/simulator/requests.js';

const dict = defaultDictionary();
const avps = resolveAvps(dict);
const identity = {
  originHost: 'pgw1.sim.example',
  originRealm: 'sim.example',
  destinationRealm: 'localdomain',
};
const NOW = Date.UTC(2026, 2, 1, 8, 0, 0);

type Shaped = [string, unknown];
/** `[name, value]` pairs in wire order, Grouped ones nested, 64-bit values as numbers. */
function shape(tree: DecodedAvp[]): Shaped[] {
  return tree.map((a): Shaped => {
    const name = a.name ?? `avp-${a.code}`;
    if (Array.isArray(a.value)) return [name, shape(a.value)];
    if (typeof a.value === 'bigint') return [name, Number(a.value)];
    if (a.value instanceof Date) return [name, a.value.toISOString()];
    return [name, a.value];
  });
}

function head(sessionId: string, context: string, type: number, number: number, msisdn: string): Shaped[] {
  return [
    ['Session-Id', sessionId],
    ['Origin-Host', 'pgw1.sim.example'],
    ['Origin-Realm', 'sim.example'],
    ['Destination-Realm', 'localdomain'],
    ['Auth-Application-Id', 4],
    ['Service-Context-Id', context],
    ['CC-Request-Type', type],
    ['CC-Request-Number', number],
    ['Event-Timestamp', '2026-03-01T08:00:00.000Z'],
    [
      'Subscription-Id',
      [
        ['Subscription-Id-Type', 0],
        ['Subscription-Id-Data', msisdn],
      ],
    ],
  ];
}

/** Decodes with the server's own decoder, checks it with the server's validator and grammar. */
function roundTrip(bytes: Buffer) {
  const message = decodeMessage(bytes);
  const grammar = dict.command(272, 4)?.request;
  expect(validateAvps(dict, message.avps, grammar)).toBeUndefined();
  return {
    message,
    tree: shape(decodeTree(dict, message.avps)),
    request: decodeCreditControlRequest(avps, message),
  };
}

describe('CcrWriter', () => {
  const w = new CcrWriter(dict, identity);

  it('writes a data CCR-I with an MSCC per rating group, as the server decodes it', () => {
    const bytes = w
      .begin(4242, 'pgw1;abc;1', 'data', RequestType.initial, 0, '8613800000001', NOW)
      .multipleServicesIndicator()
      .mscc('data', 10, 1_048_576, -1)
      .mscc('data', 20, 5_000_000_000, -1)
      .finish();
    const { message, tree, request } = roundTrip(bytes);
    expect(message.flags).toBe(CommandFlags.Request | CommandFlags.Proxiable);
    expect([message.commandCode, message.applicationId, message.hopByHop, message.endToEnd]).toEqual([
      272, 4, 4242, 4242,
    ]);
    expect(message.length).toBe(bytes.length);
    expect(tree).toEqual([
      ...head('pgw1;abc;1', '32251@3gpp.org', 1, 0, '8613800000001'),
      ['Multiple-Services-Indicator', 1],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [['CC-Total-Octets', 1_048_576]]],
          ['Rating-Group', 10],
        ],
      ],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [['CC-Total-Octets', 5_000_000_000]]],
          ['Rating-Group', 20],
        ],
      ],
    ]);
    expect(request.requestType).toBe('initial');
    expect(request.services.map((s) => [s.ratingGroup, s.requested?.totalOctets])).toEqual([
      [10, 1_048_576],
      [20, 5_000_000_000],
    ]);
  });

  it('writes a CCR-U with used and requested units, and a CCR-T with used units only', () => {
    const update = roundTrip(
      w
        .begin(1, 's;1', 'data', RequestType.update, 1, '8613800000001', NOW)
        .mscc('data', 10, 1000, 900)
        .finish(),
    );
    expect(update.tree.at(-1)).toEqual([
      'Multiple-Services-Credit-Control',
      [
        ['Requested-Service-Unit', [['CC-Total-Octets', 1000]]],
        ['Used-Service-Unit', [['CC-Total-Octets', 900]]],
        ['Rating-Group', 10],
      ],
    ]);
    const term = roundTrip(
      w
        .begin(2, 's;1', 'data', RequestType.termination, 2, '8613800000001', NOW)
        .mscc('data', 10, -1, 0)
        .finish(),
    );
    expect(term.request.requestType).toBe('termination');
    expect(term.request.requestNumber).toBe(2);
    expect(term.request.services[0]?.used).toEqual([{ totalOctets: 0 }]);
    expect(term.request.services[0]?.requested).toBeUndefined();
  });

  it('writes a voice CCR with CC-Time and IMS-Information of an originating leg', () => {
    const { tree, request } = roundTrip(
      w
        .begin(3, 'v;1', 'voice', RequestType.update, 1, '8613800000002', NOW)
        .mscc('voice', 100, 60, 60)
        .ims('tel:+8613800000002', 'tel:6001')
        .finish(),
    );
    expect(tree.slice(-2)).toEqual([
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [['CC-Time', 60]]],
          ['Used-Service-Unit', [['CC-Time', 60]]],
          ['Rating-Group', 100],
        ],
      ],
      [
        'Service-Information',
        [
          [
            'IMS-Information',
            [
              ['Node-Functionality', 6],
              ['Role-Of-Node', 0],
              ['Calling-Party-Address', 'tel:+8613800000002'],
              ['Called-Party-Address', 'tel:6001'],
            ],
          ],
        ],
      ],
    ]);
    expect(request.ims).toMatchObject({
      callingPartyAddress: 'tel:+8613800000002',
      calledPartyAddresses: ['tel:6001'],
      roleOfNode: 'originating',
    });
  });

  it('writes a CCR-E direct debit at command level', () => {
    const { tree, request } = roundTrip(
      w
        .begin(4, 'e;1', 'sms', RequestType.event, 0, '8613800000003', NOW)
        .requestedAction(0)
        .units('sms', 2, -1)
        .finish(),
    );
    expect(tree.slice(-2)).toEqual([
      ['Requested-Action', 0],
      ['Requested-Service-Unit', [['CC-Service-Specific-Units', 2]]],
    ]);
    expect(request.requestedAction).toBe('direct-debiting');
    expect(request.requested).toEqual({ serviceSpecificUnits: 2 });
  });

  it('reuses its buffer: each message is its own copy', () => {
    const a = w.begin(10, 'a;1', 'data', RequestType.initial, 0, '1', NOW).finish();
    const b = w.begin(11, 'b;2', 'data', RequestType.initial, 0, '2', NOW).finish();
    expect(decodeMessage(a).hopByHop).toBe(10);
    expect(decodeMessage(b).hopByHop).toBe(11);
  });
});
