import { afterAll, describe, expect, it } from 'vitest';
import { VpnError, type VpnErrorCode } from '../../../src/vpn/errors.js';
import { vpnFixture } from './fixture.js';

const f = vpnFixture();
afterAll(() => f.cleanup());

async function refusal(promise: Promise<unknown>): Promise<VpnError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VpnError);
  return err as VpnError;
}

async function expectRefusal(promise: Promise<unknown>, code: VpnErrorCode, message: RegExp | string) {
  const err = await refusal(promise);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
  return err;
}

/** The registration state of a number in a group, as rating sees it. */
async function state(group: string, msisdn: string, shortNumber: string) {
  return {
    memberships: await f.vpn.memberships(msisdn),
    resolved: await f.vpn.resolveShortNumber(group, shortNumber),
  };
}

describe('groups (ZTE S201)', () => {
  it('creates, reads, lists and changes a group', async () => {
    await expect(
      f.vpn.putGroup({ id: 'ZTE-SZ', name: 'ZTE Shenzhen', extensionLength: 4, maxMembers: 1000 }),
    ).resolves.toEqual({ created: true });
    expect(await f.vpn.getGroup('ZTE-SZ')).toEqual({
      id: 'ZTE-SZ',
      name: 'ZTE Shenzhen',
      extensionLength: 4,
      maxMembers: 1000,
    });
    await expect(
      f.vpn.putGroup({ id: 'ZTE-SZ', name: 'ZTE Shenzhen HQ', extensionLength: 5, maxMembers: 10 }),
    ).resolves.toEqual({ created: false });
    expect((await f.vpn.listGroups()).find((g) => g.id === 'ZTE-SZ')).toMatchObject({
      name: 'ZTE Shenzhen HQ',
      extensionLength: 5,
    });
    expect(await f.vpn.getGroup('nope')).toBeUndefined();
    expect(await f.vpn.getGroup('{bad}')).toBeUndefined();
  });

  it('refuses a group that is not well formed, naming each field', async () => {
    const err = await expectRefusal(
      f.vpn.putGroup({ id: 'a b', name: '', extensionLength: 9, maxMembers: 0 }),
      'INVALID',
      /^INVALID: group: id: letters.*name: .*extensionLength: must be 1 to 8.*maxMembers: must be greater than 0/,
    );
    expect(err.status).toBe(422);
  });

  it('refuses to change the extension length of a group with members, and allows it without', async () => {
    const g = await f.group({ extensionLength: 4 });
    await f.vpn.register(g, { msisdn: f.number(), shortNumber: '6001', identity: 'joins', display: 'long' });
    const err = await expectRefusal(
      f.vpn.putGroup({ id: g, name: 'x', extensionLength: 5, maxMembers: 100 }),
      'EXTENSION_LENGTH_LOCKED',
      `EXTENSION_LENGTH_LOCKED: group ${g} has 1 members with 4-digit short numbers: its extension length cannot change to 5`,
    );
    expect(err.status).toBe(409);
    expect((await f.vpn.getGroup(g))?.extensionLength).toBe(4);
    // Other attributes may change.
    await f.vpn.putGroup({ id: g, name: 'renamed', extensionLength: 4, maxMembers: 50 });
    expect((await f.vpn.getGroup(g))?.name).toBe('renamed');
    const empty = await f.group({ extensionLength: 4 });
    await f.vpn.putGroup({ id: empty, name: 'x', extensionLength: 6, maxMembers: 5 });
    expect((await f.vpn.getGroup(empty))?.extensionLength).toBe(6);
  });

  it('refuses a maxMembers below the number of members', async () => {
    const g = await f.group();
    await f.vpn.register(g, { msisdn: f.number(), shortNumber: '6001', identity: 'joins' });
    await f.vpn.register(g, { msisdn: f.number(), shortNumber: '6002', identity: 'joins' });
    await expectRefusal(
      f.vpn.putGroup({ id: g, name: 'x', extensionLength: 4, maxMembers: 1 }),
      'MAX_MEMBERS_BELOW_COUNT',
      `group ${g} has 2 members: maxMembers cannot be 1`,
    );
    await f.vpn.putGroup({ id: g, name: 'x', extensionLength: 4, maxMembers: 2 });
  });
});

describe('registration (ZTE FIG. 2)', () => {
  it('registers a prepaid account that belongs, with its short number and display mode', async () => {
    const g = await f.group();
    const m = await f.account();
    await expect(
      f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'belongs', display: 'short' }),
    ).resolves.toEqual({ registered: true });
    expect(await state(g, m, '6001')).toEqual({
      memberships: [{ group: g, shortNumber: '6001', identity: 'belongs', display: 'short' }],
      resolved: m,
    });
    expect(await f.vpn.membersOf(g)).toEqual([
      { msisdn: m, shortNumber: '6001', identity: 'belongs', display: 'short' },
    ]);
  });

  it('lets any number join, even one that is not a subscriber here, and several groups', async () => {
    const [g1, g2] = [await f.group(), await f.group()];
    const stranger = f.number();
    const postpaid = await f.account(0, { prepaid: false });
    await f.vpn.register(g1, { msisdn: stranger, shortNumber: '6009', identity: 'joins' });
    await f.vpn.register(g2, { msisdn: stranger, shortNumber: '7009', identity: 'joins', display: 'short' });
    await f.vpn.register(g1, { msisdn: postpaid, shortNumber: '6010', identity: 'joins' });
    expect(await f.vpn.memberships(stranger)).toEqual([
      { group: g1, shortNumber: '6009', identity: 'joins', display: 'long' },
      { group: g2, shortNumber: '7009', identity: 'joins', display: 'short' },
    ]);
    expect(await f.vpn.resolveShortNumber(g1, '6010')).toBe(postpaid);
  });

  it('lets a number that belongs to one group join others', async () => {
    const [g1, g2] = [await f.group(), await f.group()];
    const m = await f.account();
    await f.vpn.register(g1, { msisdn: m, shortNumber: '6001', identity: 'belongs' });
    await f.vpn.register(g2, { msisdn: m, shortNumber: '6001', identity: 'joins' });
    expect((await f.vpn.memberships(m)).map((x) => [x.group, x.identity])).toEqual([
      [g1, 'belongs'],
      [g2, 'joins'],
    ]);
  });

  it('refuses an unknown group', async () => {
    const err = await expectRefusal(
      f.vpn.register('NO-SUCH', { msisdn: f.number(), shortNumber: '6001', identity: 'joins' }),
      'GROUP_NOT_FOUND',
      'GROUP_NOT_FOUND: group NO-SUCH does not exist',
    );
    expect(err.status).toBe(404);
  });

  it('refuses a short number shorter or longer than the extension length', async () => {
    const g = await f.group({ extensionLength: 4 });
    const m = f.number();
    const err = await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '60011', identity: 'joins' }),
      'SHORT_NUMBER_LENGTH',
      `SHORT_NUMBER_LENGTH: short number 60011 has 5 digits, group ${g} needs 4`,
    );
    expect(err.status).toBe(422);
    await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '601', identity: 'joins' }),
      'SHORT_NUMBER_LENGTH',
      'has 3 digits',
    );
    expect(await state(g, m, '601')).toEqual({ memberships: [], resolved: undefined });
  });

  it('refuses a short number already used in the group, and accepts it in another group', async () => {
    const [g, other] = [await f.group(), await f.group()];
    const first = f.number();
    await f.vpn.register(g, { msisdn: first, shortNumber: '6001', identity: 'joins' });
    const second = f.number();
    const err = await expectRefusal(
      f.vpn.register(g, { msisdn: second, shortNumber: '6001', identity: 'joins' }),
      'SHORT_NUMBER_TAKEN',
      `short number 6001 of group ${g} is already ${first}'s`,
    );
    expect(err.status).toBe(409);
    expect(await state(g, second, '6001')).toEqual({ memberships: [], resolved: first });
    await f.vpn.register(other, { msisdn: second, shortNumber: '6001', identity: 'joins' });
  });

  it('refuses a number already in the group, whatever its new details', async () => {
    const g = await f.group();
    const m = await f.account();
    await f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'joins' });
    await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '6002', identity: 'belongs' }),
      'ALREADY_MEMBER',
      `${m} is already in group ${g} (short number 6001, joins)`,
    );
    await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'joins' }),
      'ALREADY_MEMBER',
      /already in group/,
    );
    expect(await f.vpn.resolveShortNumber(g, '6002')).toBeUndefined();
  });

  it('with sameIsNoop, registering again exactly as registered changes nothing', async () => {
    const g = await f.group();
    const m = f.number();
    const member = { msisdn: m, shortNumber: '6001', identity: 'joins', display: 'short' } as const;
    await f.vpn.register(g, member);
    await expect(f.vpn.register(g, member, { sameIsNoop: true })).resolves.toEqual({ registered: false });
    await expectRefusal(
      f.vpn.register(g, { ...member, display: 'long' }, { sameIsNoop: true }),
      'ALREADY_MEMBER',
      /already in group/,
    );
    expect(await f.vpn.membersOf(g)).toHaveLength(1);
  });

  it('refuses a member beyond maxMembers', async () => {
    const g = await f.group({ maxMembers: 2 });
    await f.vpn.register(g, { msisdn: f.number(), shortNumber: '6001', identity: 'joins' });
    await f.vpn.register(g, { msisdn: f.number(), shortNumber: '6002', identity: 'joins' });
    const m = f.number();
    await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '6003', identity: 'joins' }),
      'GROUP_FULL',
      `group ${g} already has its maximum of 2 members`,
    );
    expect(await state(g, m, '6003')).toEqual({ memberships: [], resolved: undefined });
  });

  it('refuses to let a number belong to a second group', async () => {
    const [g1, g2] = [await f.group(), await f.group()];
    const m = await f.account();
    await f.vpn.register(g1, { msisdn: m, shortNumber: '6001', identity: 'belongs' });
    const err = await expectRefusal(
      f.vpn.register(g2, { msisdn: m, shortNumber: '6001', identity: 'belongs' }),
      'BELONGS_ELSEWHERE',
      `${m} already belongs to group ${g1}: a number belongs to one group only (it may join others)`,
    );
    expect(err.status).toBe(409);
    expect(await state(g2, m, '6001')).toEqual({
      memberships: [{ group: g1, shortNumber: '6001', identity: 'belongs', display: 'long' }],
      resolved: undefined,
    });
  });

  it('refuses to let a postpaid account belong (it may join)', async () => {
    const g = await f.group();
    const m = await f.account(0, { prepaid: false });
    const err = await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'belongs' }),
      'NOT_PREPAID',
      `${m} is not a prepaid account: only a prepaid account may belong to a group (it may join)`,
    );
    expect(err.status).toBe(422);
    expect(await f.vpn.memberships(m)).toEqual([]);
  });

  it('refuses to let a number without an account here belong', async () => {
    const g = await f.group();
    const m = f.number();
    await expectRefusal(
      f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'belongs' }),
      'UNKNOWN_ACCOUNT',
      `${m} has no account here`,
    );
    expect(await f.vpn.memberships(m)).toEqual([]);
  });

  it('refuses a member that is not well formed', async () => {
    const g = await f.group();
    await expectRefusal(
      f.vpn.register(g, { msisdn: '+86 138', shortNumber: '6a01', identity: 'owns' as 'joins' }),
      'INVALID',
      /^INVALID: member: msisdn: must be 5 to 15 digits.*shortNumber: must be 1 to 8 digits.*identity/,
    );
    await expectRefusal(
      f.vpn.register('{x}', { msisdn: f.number(), shortNumber: '6001', identity: 'joins' }),
      'INVALID',
      /group/,
    );
  });

  it('concurrent registrations of one short number: exactly one wins', async () => {
    const g = await f.group();
    const numbers = Array.from({ length: 10 }, () => f.number());
    const results = await Promise.allSettled(
      numbers.map((m) => f.vpn.register(g, { msisdn: m, shortNumber: '6001', identity: 'joins' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await f.vpn.membersOf(g)).toHaveLength(1);
  });

  it('concurrent registrations into a nearly full group never pass maxMembers', async () => {
    const g = await f.group({ maxMembers: 3 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        f.vpn.register(g, {
          msisdn: f.number(),
          shortNumber: `60${String(i).padStart(2, '0')}`,
          identity: 'joins',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await f.vpn.membersOf(g)).toHaveLength(3);
  });

  it('membersOf refuses an unknown group', async () => {
    await expectRefusal(f.vpn.membersOf('NO-SUCH'), 'GROUP_NOT_FOUND', /NO-SUCH/);
  });
});

describe('unregister', () => {
  it('frees the short number and the membership, so the number may belong elsewhere', async () => {
    const [g1, g2] = [await f.group(), await f.group()];
    const m = await f.account();
    await f.vpn.register(g1, { msisdn: m, shortNumber: '6001', identity: 'belongs' });
    await expect(f.vpn.unregister(g1, m)).resolves.toEqual({ identity: 'belongs', activationEnded: false });
    expect(await state(g1, m, '6001')).toEqual({ memberships: [], resolved: undefined });
    await f.vpn.register(g2, { msisdn: m, shortNumber: '6001', identity: 'belongs' });
    await f.vpn.register(g1, { msisdn: f.number(), shortNumber: '6001', identity: 'joins' });
  });

  it('refuses a number that is not in the group', async () => {
    const g = await f.group();
    const err = await expectRefusal(
      f.vpn.unregister(g, '8613000000000'),
      'MEMBER_NOT_FOUND',
      /is not in group/,
    );
    expect(err.status).toBe(404);
  });
});

describe('packages', () => {
  it('stores a package with its defaults, and refuses a malformed one', async () => {
    await expect(
      f.vpn.putPackage({
        id: 'p-1',
        monthlyFee: 300,
        items: ['intra-group-voice'],
        levels: [{ type: 'payment', unitSeconds: 60, pricePerUnit: 2 }],
      }),
    ).resolves.toEqual({ created: true });
    expect(await f.vpn.getPackage('p-1')).toMatchObject({ monthlyFee: 300, smsPricePerMessage: 0 });
    expect((await f.vpn.listPackages()).map((p) => p.id)).toContain('p-1');
    await expectRefusal(
      f.vpn.putPackage({ id: 'p-2', monthlyFee: -1, items: [], levels: [] }),
      'INVALID',
      /monthlyFee: must not be negative.*items: name at least one.*levels: name at least one/,
    );
    await expectRefusal(
      f.vpn.putPackage({
        id: 'p-3',
        monthlyFee: 1e16,
        items: ['intra-group-voice'],
        levels: [{ type: 'payment', unitSeconds: 60, pricePerUnit: 2 }],
      }),
      'INVALID',
      /monthlyFee: must be at most 999999999999999/,
    );
    expect(await f.vpn.getPackage('p-2')).toBeUndefined();
  });
});
