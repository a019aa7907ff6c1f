import { BlockList, isIP } from 'node:net';

/**
 * Which peers may connect (RFC 6733 §5.3: a CER from a peer local policy does not know is
 * answered 3010). An entry names a Diameter identity, alone or bound to the addresses it may
 * connect from: `pgw1.operator.net`, `pgw1.operator.net@10.1.2.3`,
 * `pgw1.operator.net@10.1.0.0/16`. Entries of one identity add up. An empty list allows every
 * peer; an identity without an address may connect from anywhere.
 */
export class PeerAllowList {
  private readonly peers = new Map<string, BlockList | 'anywhere'>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseAllowedPeer(entry);
      if (typeof parsed === 'string') throw new RangeError(`allowed peer ${entry}: ${parsed}`);
      const host = parsed.host.toLowerCase();
      const known = this.peers.get(host);
      if (!parsed.network) {
        this.peers.set(host, 'anywhere');
        continue;
      }
      if (known === 'anywhere') continue;
      const networks = known ?? new BlockList();
      const { address, prefix, family } = parsed.network;
      networks.addSubnet(address, prefix, family);
      this.peers.set(host, networks);
    }
  }

  /** Why the peer is refused, or undefined when it may connect from `remoteIp`. */
  refusal(originHost: string, remoteIp: string | undefined): string | undefined {
    if (this.peers.size === 0) return undefined;
    const allowed = this.peers.get(originHost.toLowerCase());
    if (!allowed) return `${originHost} is not an allowed peer`;
    if (allowed === 'anywhere') return undefined;
    const ip = plainAddress(remoteIp);
    const family = ip === undefined ? 0 : isIP(ip);
    if (ip === undefined || family === 0 || !allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6'))
      return `${originHost} may not connect from ${ip ?? 'an unknown address'}`;
    return undefined;
  }
}

interface AllowedPeer {
  host: string;
  network?: { address: string; prefix: number; family: 'ipv4' | 'ipv6' };
}

/** `host` or `host@address[/prefix]`; a string says what is wrong with the entry. */
export function parseAllowedPeer(entry: string): AllowedPeer | string {
  const at = entry.indexOf('@');
  if (at < 0) return { host: entry };
  const host = entry.slice(0, at);
  const [address = '', prefixText, ...rest] = entry.slice(at + 1).split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return `${entry.slice(at + 1)} is not an address or network`;
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return `the prefix length must be 0 to ${bits}`;
  return { host, network: { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } };
}

/** An IPv4 peer on a dual-stack socket shows as `::ffff:10.1.2.3`. */
function plainAddress(ip: string | undefined): string | undefined {
  if (ip?.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return ip.slice(7);
  return ip;
}
