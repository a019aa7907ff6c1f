import type { AvpEntry } from '../diameter/avp-tree.js';
import { DiameterClient, member, type ReceivedAnswer } from '../simulator/client.js';
import { SERVICE_CONTEXT } from '../simulator/requests.js';

/** RFC 4006 §8.3 CC-Request-Type, by the dictionary's names. */
type RequestTypeName = 'INITIAL_REQUEST' | 'UPDATE_REQUEST' | 'TERMINATION_REQUEST' | 'EVENT_REQUEST';

/** One step of the tour and what the server answered. */
export interface TourLine {
  what: string;
  resultCode: number | undefined;
  granted?: string;
  /** Cost-Information of a price enquiry, e.g. '0.10 CNY' (RFC 4006 §8.7). */
  price?: string;
}

let counter = 0;
function sessionId(client: DiameterClient, what: string): string {
  return `${client.originHost};${Date.now()};${++counter};${what}`;
}

/** The tour's client and the realm of the server it talks to. */
interface TourPeer {
  client: DiameterClient;
  realm: string;
}

function ccr(
  { client, realm }: TourPeer,
  sid: string,
  context: string,
  type: RequestTypeName,
  number: number,
  msisdn: string,
  more: AvpEntry[],
  at = new Date(),
): AvpEntry[] {
  return [
    ['Session-Id', sid],
    ['Origin-Host', client.originHost],
    ['Origin-Realm', client.originRealm],
    ['Destination-Realm', realm],
    ['Auth-Application-Id', client.creditControl.applicationId],
    ['Service-Context-Id', context],
    ['CC-Request-Type', type],
    ['CC-Request-Number', number],
    ['Event-Timestamp', at],
    [
      'Subscription-Id',
      [
        ['Subscription-Id-Type', 'END_USER_E164'],
        ['Subscription-Id-Data', msisdn],
      ],
    ],
    ...more,
  ];
}

function mscc(rg: number, requested?: AvpEntry, used?: AvpEntry): AvpEntry {
  const inner: AvpEntry[] = [['Rating-Group', rg]];
  if (requested) inner.push(['Requested-Service-Unit', [requested]]);
  if (used) inner.push(['Used-Service-Unit', [used]]);
  return ['Multiple-Services-Credit-Control', inner];
}

function summary(what: string, answer: ReceivedAnswer): TourLine {
  const m = answer.get('Multiple-Services-Credit-Control');
  const gsu = member(m, 'Granted-Service-Unit') ?? answer.get('Granted-Service-Unit');
  const granted = Array.isArray(gsu) ? gsu.map((a) => `${a.name}=${String(a.value)}`).join(' ') : undefined;
  const rc = (member(m, 'Result-Code') ?? answer.get('Result-Code')) as number | undefined;
  const line: TourLine = granted ? { what, resultCode: rc, granted } : { what, resultCode: rc };
  const cost = answer.get('Cost-Information');
  const digits = member(member(cost, 'Unit-Value'), 'Value-Digits');
  const exponent = member(member(cost, 'Unit-Value'), 'Exponent');
  if (digits !== undefined) {
    const scale = -Number(exponent ?? 0);
    line.price = `${(Number(digits) / 10 ** scale).toFixed(Math.max(scale, 0))} CNY`;
  }
  return line;
}

/** Tonight at 23:30 in Beijing, when pps-world's night band has halved its prices. */
function tonightInBeijing(): Date {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  return new Date(`${day}T23:30:00+08:00`);
}

/**
 * A short scripted walk through credit control, as a PGW and an IMS node would drive it: a
 * data session, a voice call, an SMS, and the refusals an operator meets first.
 */
export async function runTour(port: number, realm: string, host = '127.0.0.1'): Promise<TourLine[]> {
  const client = new DiameterClient(port, undefined, host);
  client.originHost = 'pgw.demo.example';
  client.originRealm = 'demo.example';
  await client.open();
  const to: TourPeer = { client, realm };
  const lines: TourLine[] = [];
  const MiB = 1_048_576;
  const { creditControl: cc } = client;
  const creditControl = (avps: AvpEntry[]) => client.request(cc.code, cc.applicationId, avps);
  try {
    const data = sessionId(client, 'data');
    const DATA = SERVICE_CONTEXT.data;
    lines.push(
      summary(
        'data CCR-I 8613800000001 asks 2 MiB on RG 10, from its data-1g bundle',
        await creditControl(
          ccr(to, data, DATA, 'INITIAL_REQUEST', 0, '8613800000001', [
            mscc(10, ['CC-Total-Octets', 2 * MiB]),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'data CCR-U used 2 MiB, asks 2 MiB more',
        await creditControl(
          ccr(to, data, DATA, 'UPDATE_REQUEST', 1, '8613800000001', [
            mscc(10, ['CC-Total-Octets', 2 * MiB], ['CC-Total-Octets', 2 * MiB]),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'data CCR-T used 1.5 MiB (3.5 MiB in all, from the bundle: no money)',
        await creditControl(
          ccr(to, data, DATA, 'TERMINATION_REQUEST', 2, '8613800000001', [
            mscc(10, undefined, ['CC-Total-Octets', 1.5 * MiB]),
          ]),
        ),
      ),
    );

    const voice = sessionId(client, 'voice');
    const VOICE = SERVICE_CONTEXT.voice;
    const ims: AvpEntry = [
      'Service-Information',
      [
        [
          'IMS-Information',
          [
            ['Node-Functionality', 'AS'],
            ['Role-Of-Node', 'ORIGINATING_ROLE'],
            ['Calling-Party-Address', 'tel:+8613800000002'],
            ['Called-Party-Address', 'tel:6001'],
          ],
        ],
      ],
    ];
    lines.push(
      summary(
        'voice CCR-I 8613800000002 dials short number 6001 (VPN)',
        await creditControl(
          ccr(to, voice, VOICE, 'INITIAL_REQUEST', 0, '8613800000002', [mscc(100, ['CC-Time', 60]), ims]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-U 60 s used',
        await creditControl(
          ccr(to, voice, VOICE, 'UPDATE_REQUEST', 1, '8613800000002', [
            mscc(100, ['CC-Time', 60], ['CC-Time', 60]),
            ims,
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-T 25 s used (85 s: two free minutes of vpn-300)',
        await creditControl(
          ccr(to, voice, VOICE, 'TERMINATION_REQUEST', 2, '8613800000002', [
            mscc(100, undefined, ['CC-Time', 25]),
            ims,
          ]),
        ),
      ),
    );

    const sms = sessionId(client, 'sms');
    lines.push(
      summary(
        'SMS CCR-E direct debit from 8613800000002',
        await creditControl(
          ccr(to, sms, SERVICE_CONTEXT.sms, 'EVENT_REQUEST', 0, '8613800000002', [
            ['Requested-Action', 'DIRECT_DEBITING'],
            mscc(200, ['CC-Service-Specific-Units', 1]),
          ]),
        ),
      ),
    );

    // pps-world (8613800000005): what one minute costs to each kind of destination, and calls.
    const WORLD = '8613800000005';
    const callTo = (called: string): AvpEntry => [
      'Service-Information',
      [
        [
          'IMS-Information',
          [
            ['Node-Functionality', 'AS'],
            ['Role-Of-Node', 'ORIGINATING_ROLE'],
            ['Calling-Party-Address', `tel:+${WORLD}`],
            ['Called-Party-Address', called],
          ],
        ],
      ],
    ];
    const enquiries: [string, string, Date?][] = [
      ['a national mobile', 'tel:+8613912345678'],
      ['Beijing', 'tel:+861062345678'],
      ['New York (6-second units)', 'tel:+12125550100'],
      ['Beijing tonight at 23:30 (night band)', 'tel:+861062345678', tonightInBeijing()],
    ];
    for (const [where, called, at] of enquiries) {
      lines.push(
        summary(
          `price of 1 minute to ${where}`,
          await creditControl(
            ccr(
              to,
              sessionId(client, 'price'),
              VOICE,
              'EVENT_REQUEST',
              0,
              WORLD,
              [
                ['Requested-Action', 'PRICE_ENQUIRY'],
                ['Requested-Service-Unit', [['CC-Time', 60]]],
                callTo(called),
              ],
              at,
            ),
          ),
        ),
      );
    }
    const beijing = sessionId(client, 'beijing');
    lines.push(
      summary(
        'voice CCR-I 8613800000005 calls Beijing 010 6234 5678',
        await creditControl(
          ccr(to, beijing, VOICE, 'INITIAL_REQUEST', 0, WORLD, [
            mscc(100, ['CC-Time', 120]),
            callTo('tel:+861062345678'),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-T 90 s used (two started minutes at Beijing price)',
        await creditControl(
          ccr(to, beijing, VOICE, 'TERMINATION_REQUEST', 1, WORLD, [
            mscc(100, undefined, ['CC-Time', 90]),
            callTo('tel:+861062345678'),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-I 8613800000005 calls premium 86168: barred',
        await creditControl(
          ccr(to, sessionId(client, 'premium'), VOICE, 'INITIAL_REQUEST', 0, WORLD, [
            mscc(100, ['CC-Time', 60]),
            callTo('tel:+8616800000000'),
          ]),
        ),
      ),
    );

    const poor = sessionId(client, 'poor');
    lines.push(
      summary(
        'voice CCR-I 8613800000003 (0.20 left): one minute, final',
        await creditControl(
          ccr(to, poor, VOICE, 'INITIAL_REQUEST', 0, '8613800000003', [mscc(100, ['CC-Time', 300])]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-U after the final minute: credit limit',
        await creditControl(
          ccr(to, poor, VOICE, 'UPDATE_REQUEST', 1, '8613800000003', [
            mscc(100, ['CC-Time', 60], ['CC-Time', 60]),
          ]),
        ),
      ),
    );
    await creditControl(
      ccr(to, poor, VOICE, 'TERMINATION_REQUEST', 2, '8613800000003', [mscc(100, undefined, ['CC-Time', 0])]),
    );

    lines.push(
      summary(
        'data CCR-I for blocked 8613800000004',
        await creditControl(
          ccr(to, sessionId(client, 'blocked'), DATA, 'INITIAL_REQUEST', 0, '8613800000004', [
            mscc(10, ['CC-Total-Octets', MiB]),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'data CCR-I for unknown 8613700000000',
        await creditControl(
          ccr(to, sessionId(client, 'unknown'), DATA, 'INITIAL_REQUEST', 0, '8613700000000', [
            mscc(10, ['CC-Total-Octets', MiB]),
          ]),
        ),
      ),
    );
    lines.push(
      summary(
        'voice CCR-I for postpaid 8613900000009',
        await creditControl(
          ccr(to, sessionId(client, 'postpaid'), VOICE, 'INITIAL_REQUEST', 0, '8613900000009', [
            mscc(100, ['CC-Time', 60]),
          ]),
        ),
      ),
    );
  } finally {
    await client.disconnect().catch(() => client.close());
  }
  return lines;
}
