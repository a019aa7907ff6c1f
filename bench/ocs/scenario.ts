import { provision, type ProvisioningDeps } from '../../src/provisioning/apply.js';
import { provisionScenario } from '../../src/simulator/provision.js';
import { numberAt, parseScenario, type Scenario } from '../../src/simulator/scenario.js';
import { ACCOUNTS, MEMBERS, MiB } from './settings.js';

export const DATA_FIRST = '8613750000000';
export const MEMBER_FIRST = '8613760000000';
export const VPN_PACKAGE = 'bench-vpn';
export const VOICE_PRICE = 15;

/** The busy-hour mix over this benchmark's accounts; mode and stop are set per phase. */
export function scenario(port: number, mode: object, seconds: number): Scenario {
  const shortNumbers = Array.from({ length: 101 }, (_, i) => String(1000 + ((i * 7) % MEMBERS)));
  return parseScenario(
    JSON.stringify({
      name: 'bench',
      peers: { count: 4, originHost: 'pgw{n}.bench.example', server: { host: '127.0.0.1', port } },
      mode,
      stop: { duration: seconds, drainSeconds: 10 },
      msisdn: { first: DATA_FIRST, count: ACCOUNTS },
      mix: [
        {
          kind: 'data',
          weight: 70,
          ratingGroups: [10],
          updates: 2,
          requestedOctets: MiB,
          usedOctets: MiB,
        },
        {
          kind: 'voice',
          weight: 25,
          callSeconds: 90,
          chunkSeconds: 60,
          calling: { first: MEMBER_FIRST, count: MEMBERS },
          called: { first: DATA_FIRST, count: ACCOUNTS },
          vpn: { shortNumbers, share: 0.3 },
        },
        { kind: 'sms', weight: 5 },
      ],
      provision: {
        tariff: {
          id: 'bench',
          currency: 'CNY',
          voice: { unitSeconds: 60, pricePerUnit: VOICE_PRICE },
          sms: { pricePerMessage: 10 },
          data: { ratingGroups: { '10': { unitOctets: MiB, pricePerUnit: 30 } } },
        },
        accounts: [
          { first: DATA_FIRST, count: ACCOUNTS, balance: 1_000_000_000_000 },
          { first: MEMBER_FIRST, count: MEMBERS, balance: 1_000_000_000_000 },
        ],
      },
    }),
    'bench',
  );
}

/** The VPN group of the callers, and a package whose free minutes outlast any run. */
function vpnDocument(): string {
  const members = Array.from({ length: MEMBERS }, (_, i) => numberAt({ first: MEMBER_FIRST, count: 1 }, i));
  return JSON.stringify({
    vpn: {
      groups: [
        {
          id: 'BENCH',
          name: 'Benchmark group',
          extensionLength: 4,
          maxMembers: 9000,
          members: members.map((msisdn, i) => ({
            msisdn,
            shortNumber: String(1000 + i),
            identity: 'belongs',
          })),
        },
      ],
      packages: [
        {
          id: VPN_PACKAGE,
          monthlyFee: 0,
          items: ['intra-group-voice'],
          levels: [
            { type: 'free', creditSeconds: 100_000_000_000, unitSeconds: 60 },
            { type: 'payment', unitSeconds: 60, pricePerUnit: 5 },
          ],
        },
      ],
      activations: members.map((msisdn) => ({ msisdn, package: VPN_PACKAGE, when: 'immediate' })),
    },
  });
}

/** Tariff, accounts, VPN group and package into Redis; the seconds it took. */
export async function provisionBench(deps: ProvisioningDeps): Promise<number> {
  const base = scenario(1, { type: 'concurrency', sessions: 1 }, 1);
  const t0 = Date.now();
  await provisionScenario(deps, base);
  await provision(deps, vpnDocument());
  return (Date.now() - t0) / 1000;
}
