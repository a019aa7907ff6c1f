import { describe, expect, it } from 'vitest';
import { PeerAllowList, parseAllowedPeer } from '../../../src/diameter/peer/allow-list.js';

describe('PeerAllowList', () => {
  it('allows every peer when empty', () => {
    expect(new PeerAllowList([]).refusal('any.example', '192.0.2.1')).toBeUndefined();
  });

  it('allows a listed identity from anywhere, whatever its case, and refuses others', () => {
    const list = new PeerAllowList(['PGW1.example']);
    expect(list.refusal('pgw1.example', '192.0.2.1')).toBeUndefined();
    expect(list.refusal('pgw2.example', '192.0.2.1')).toBe('pgw2.example is not an allowed peer');
  });

  it('binds an identity to addresses and networks, IPv4 and IPv6, its entries adding up', () => {
    const list = new PeerAllowList([
      'pgw1.example@10.1.0.0/16',
      'pgw1.example@192.0.2.7',
      'pgw2.example@2001:db8::/32',
    ]);
    expect(list.refusal('pgw1.example', '10.1.200.3')).toBeUndefined();
    expect(list.refusal('pgw1.example', '::ffff:10.1.0.1')).toBeUndefined();
    expect(list.refusal('pgw1.example', '192.0.2.7')).toBeUndefined();
    expect(list.refusal('pgw1.example', '192.0.2.8')).toBe('pgw1.example may not connect from 192.0.2.8');
    expect(list.refusal('pgw1.example', '10.2.0.1')).toMatch(/may not connect/);
    expect(list.refusal('pgw2.example', '2001:db8:1::5')).toBeUndefined();
    expect(list.refusal('pgw2.example', '2001:db9::5')).toMatch(/may not connect/);
    expect(list.refusal('pgw2.example', undefined)).toBe(
      'pgw2.example may not connect from an unknown address',
    );
  });

  it('lets an entry without an address open an identity to every address', () => {
    const list = new PeerAllowList(['pgw1.example@10.1.0.0/16', 'pgw1.example']);
    expect(list.refusal('pgw1.example', '203.0.113.9')).toBeUndefined();
  });
});

describe('parseAllowedPeer', () => {
  it('reads a host, a host at an address, and a host at a network', () => {
    expect(parseAllowedPeer('pgw.example')).toEqual({ host: 'pgw.example' });
    expect(parseAllowedPeer('pgw.example@10.0.0.1')).toEqual({
      host: 'pgw.example',
      network: { address: '10.0.0.1', prefix: 32, family: 'ipv4' },
    });
    expect(parseAllowedPeer('pgw.example@2001:db8::/48')).toEqual({
      host: 'pgw.example',
      network: { address: '2001:db8::', prefix: 48, family: 'ipv6' },
    });
  });

  it('says what is wrong with an entry', () => {
    expect(parseAllowedPeer('pgw.example@10.0.0')).toBe('10.0.0 is not an address or network');
    expect(parseAllowedPeer('pgw.example@10.0.0.0/33')).toBe('the prefix length must be 0 to 32');
    expect(parseAllowedPeer('pgw.example@10.0.0.0/x')).toBe('the prefix length must be 0 to 32');
  });
});
