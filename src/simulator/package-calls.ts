import type { Cluster, Redis } from 'ioredis';
import { dialledNumber } from '../rating/numbering.js';
import { MONEY_BUCKET, type Tariff, type Tier } from '../rating/types.js';
import { rateVpn } from '../rating/vpn.js';
import { decodeActivation, VpnReader } from '../vpn/read.js';
import type { Package } from '../vpn/model.js';

/** What the simulator knows of one caller whose voice calls a VPN package may price. */
export interface PackageCaller {
  /** Members of the groups the caller belongs to: a call to one of them is intra-group. */
  peers: ReadonlySet<string>;
  /** The tiers of the caller's package, as the server rates an intra-group call with them. */
  tiers: readonly Tier[];
}

/** Accounts read per Redis round trip. */
const CHUNK = 1000;

/**
 * The callers of a run whose voice calls the server may rate by a VPN package instead of the
 * tariff (DESIGN §3): a member who belongs to a group and has a package with intra-group voice
 * (activated, or pending or suspended, which a monthly run may change). Such a call is priced
 * by the package's levels (free seconds and free money in buckets of their own, then payment
 * levels), and how a report is split between them depends on what is left of each free credit
 * at that moment: the simulator cannot price it exactly, only bound it.
 */
export class PackageCallers {
  private constructor(private readonly callers: ReadonlyMap<string, PackageCaller>) {}

  static readonly NONE = new PackageCallers(new Map());

  static of(callers: Iterable<[string, PackageCaller]>): PackageCallers {
    return new PackageCallers(new Map(callers));
  }

  /** Reads the VPN configuration of `numbers` (the run's accounts) from the server's Redis. */
  static async read(
    redis: Redis | Cluster,
    keyPrefix: string,
    numbers: Iterable<string>,
    tariff: Tariff,
  ): Promise<PackageCallers> {
    const reader = new VpnReader(redis, keyPrefix);
    const packages = new Map((await reader.listPackages()).map((p): [string, Package] => [p.id, p]));
    const voicePackages = new Set(
      [...packages.values()].filter((p) => p.items.includes('intra-group-voice')),
    );
    if (voicePackages.size === 0) return PackageCallers.NONE;

    // Every VPN key is in the {vpn} slot: one pipeline per chunk serves a Redis Cluster too.
    const activated: { msisdn: string; pkg: Package }[] = [];
    let chunk: string[] = [];
    const readChunk = async () => {
      const raws = await redis.hmget(reader.keys.activations(), ...chunk);
      chunk.forEach((msisdn, i) => {
        const raw = raws[i];
        const pkg = raw ? packages.get(decodeActivation(raw).package) : undefined;
        if (pkg && voicePackages.has(pkg)) activated.push({ msisdn, pkg });
      });
      chunk = [];
    };
    for (const msisdn of numbers) {
      chunk.push(msisdn);
      if (chunk.length === CHUNK) await readChunk();
    }
    if (chunk.length) await readChunk();

    const groupMembers = new Map<string, Set<string>>();
    const callers = new Map<string, PackageCaller>();
    for (let i = 0; i < activated.length; i += CHUNK) {
      const part = activated.slice(i, i + CHUNK);
      const memberships = await Promise.all(part.map((a) => reader.memberships(a.msisdn)));
      for (const [j, { msisdn, pkg }] of part.entries()) {
        const belongs = memberships[j]!.filter((m) => m.identity === 'belongs');
        if (belongs.length === 0) continue;
        const peers = new Set<string>();
        for (const m of belongs) {
          let members = groupMembers.get(m.group);
          if (!members) {
            members = new Set((await reader.membersOf(m.group)).map((x) => x.msisdn));
            groupMembers.set(m.group, members);
          }
          for (const x of members) peers.add(x);
        }
        // The server's own rating of an intra-group call under this package, whatever the
        // activation's status now.
        const { tiers } = rateVpn({
          kind: 'voice',
          leg: 'originating',
          served: {
            msisdn,
            memberships: belongs,
            activation: { msisdn, package: pkg.id, status: 'active', activeFrom: '', paidThrough: '' },
          },
          other: { msisdn: '', memberships: belongs },
          packages,
          tariff,
          // The package prices these calls whatever the time: the tariff's bands do not apply.
          when: { atMs: 0 },
        });
        callers.set(msisdn, { peers, tiers });
      }
    }
    return new PackageCallers(callers);
  }

  get size(): number {
    return this.callers.size;
  }

  has(msisdn: string): boolean {
    return this.callers.has(msisdn);
  }

  /**
   * The tiers a package may price an originating call with, as the server's rater decides it
   * (src/rating/rater.ts); undefined when the tariff certainly prices it. A number
   * dialled in international form is the called party itself; any other form (a short number,
   * a national number) the server resolves through the caller's groups or its numbering plan,
   * so the package may price it.
   */
  tiers(caller: string, calledAddress: string): readonly Tier[] | undefined {
    const c = this.callers.get(caller);
    if (!c) return undefined;
    const dialled = dialledNumber(calledAddress);
    if (!dialled) return undefined;
    if (dialled.international && !c.peers.has(dialled.digits)) return undefined;
    return c.tiers;
  }
}

/**
 * The most a usage report of `units` can cost in the buckets that `money` selects (the money
 * bucket, or the others: free credits): each tier covers at most all of it, a started unit in
 * full, as the balance store charges it.
 */
export function mostCharged(tiers: readonly Tier[], units: number, money: boolean): number {
  let most = 0;
  for (const t of tiers) {
    if ((t.bucket === MONEY_BUCKET) !== money) continue;
    most += Math.ceil(units / t.unitSize) * t.pricePerUnit;
  }
  return most;
}
