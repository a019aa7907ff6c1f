/**
 * VPN groups, members, packages, activations and the monthly run over the admin API: each rule
 * of the ZTE registration and activation flow refused with its code and a message saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

const VPN_300 = {
  monthlyFee: 500,
  items: ['intra-group-voice'],
  levels: [
    { type: 'free', creditSeconds: 18000, unitSeconds: 60 },
    { type: 'free', creditAmount: 1000, unitSeconds: 60, pricePerUnit: 5 },
    { type: 'payment', unitSeconds: 60, pricePerUnit: 5 },
  ],
};

let groups = 0;
async function group(extensionLength = 4, maxMembers = 100): Promise<string> {
  const id = `G-${++groups}`;
  const answer = await f.call('PUT', `/v1/vpn/groups/${id}`, {
    body: { name: `group ${id}`, extensionLength, maxMembers },
  });
  expect(answer.status).toBe(201);
  return id;
}

const register = (g: string, body: Record<string, unknown>) =>
  f.call('POST', `/v1/vpn/groups/${g}/members`, { body });

describe('groups', () => {
  it('creates (201), changes (200), reads with members and lists groups', async () => {
    const created = await f.call('PUT', '/v1/vpn/groups/ZTE-SZ', {
      body: { name: 'ZTE Shenzhen', extensionLength: 4, maxMembers: 1000 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'ZTE-SZ',
      name: 'ZTE Shenzhen',
      extensionLength: 4,
      maxMembers: 1000,
    });
    const changed = await f.call('PUT', '/v1/vpn/groups/ZTE-SZ', {
      body: { id: 'ZTE-SZ', name: 'ZTE Shenzhen HQ', extensionLength: 4, maxMembers: 1000 },
    });
    expect(changed.status).toBe(200);
    const msisdn = await f.account();
    await register('ZTE-SZ', { msisdn, shortNumber: '6001', identity: 'belongs', display: 'short' });
    expect((await f.call('GET', '/v1/vpn/groups/ZTE-SZ')).body).toEqual({
      id: 'ZTE-SZ',
      name: 'ZTE Shenzhen HQ',
      extensionLength: 4,
      maxMembers: 1000,
      members: [{ msisdn, shortNumber: '6001', identity: 'belongs', display: 'short' }],
    });
    const list = await f.call('GET', '/v1/vpn/groups');
    expect(list.body.items).toContainEqual(changed.body);
  });

  it('answers 404 GROUP_NOT_FOUND, 409 EXTENSION_LENGTH_LOCKED and MAX_MEMBERS_BELOW_COUNT', async () => {
    expect((await f.call('GET', '/v1/vpn/groups/none')).body.code).toBe('GROUP_NOT_FOUND');
    expect((await f.call('GET', '/v1/vpn/groups/none/members')).status).toBe(404);
    const g = await group(4, 10);
    await register(g, { msisdn: f.number(), shortNumber: '1000', identity: 'joins' });
    await register(g, { msisdn: f.number(), shortNumber: '1001', identity: 'joins' });
    const length = await f.call('PUT', `/v1/vpn/groups/${g}`, {
      body: { name: 'x', extensionLength: 5, maxMembers: 10 },
    });
    expect(length.status).toBe(409);
    expect(length.body).toEqual({
      code: 'EXTENSION_LENGTH_LOCKED',
      message: `group ${g} has 2 members with 4-digit short numbers: its extension length cannot change to 5`,
    });
    const max = await f.call('PUT', `/v1/vpn/groups/${g}`, {
      body: { name: 'x', extensionLength: 4, maxMembers: 1 },
    });
    expect(max.status).toBe(409);
    expect(max.body.code).toBe('MAX_MEMBERS_BELOW_COUNT');
  });

  it('answers 400 for a group that breaks its shape', async () => {
    const answer = await f.call('PUT', '/v1/vpn/groups/G-bad', {
      body: { name: 'x', extensionLength: 9, maxMembers: 5 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([{ field: 'body.extensionLength', reason: 'must be 1 to 8' }]);
    const members = await f.call('PUT', '/v1/vpn/groups/G-bad', {
      body: { name: 'x', extensionLength: 4, maxMembers: 5, members: [] },
    });
    expect(members.status).toBe(400);
  });
});

describe('members: the registration rules (ZTE S201-S211)', () => {
  it('registers a belonging and a joining member; the same registration again is 200', async () => {
    const g = await group();
    const owner = await f.account();
    const friend = f.number();
    const belongs = await register(g, { msisdn: owner, shortNumber: '6001', identity: 'belongs' });
    expect(belongs.status).toBe(201);
    expect(belongs.body).toEqual({
      msisdn: owner,
      shortNumber: '6001',
      identity: 'belongs',
      display: 'long',
    });
    expect((await register(g, { msisdn: friend, shortNumber: '6009', identity: 'joins' })).status).toBe(201);
    expect((await register(g, { msisdn: owner, shortNumber: '6001', identity: 'belongs' })).status).toBe(200);
    expect((await f.call('GET', `/v1/vpn/groups/${g}/members`)).body.items).toHaveLength(2);
    const account = await f.call('GET', `/v1/accounts/${owner}`);
    expect(account.body.vpn.memberships).toEqual([
      { group: g, shortNumber: '6001', identity: 'belongs', display: 'long' },
    ]);
  });

  it('refuses each rule with its code and why', async () => {
    const g = await group(4, 2);
    const other = await group();
    const owner = await f.account();
    const postpaid = await f.account(0, { prepaid: false });
    await register(other, { msisdn: owner, shortNumber: '7001', identity: 'belongs' });
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [
        { msisdn: f.number(), shortNumber: '600', identity: 'joins' },
        422,
        'SHORT_NUMBER_LENGTH',
        /has 3 digits, group .* needs 4/,
      ],
      [
        { msisdn: owner, shortNumber: '6002', identity: 'belongs' },
        409,
        'BELONGS_ELSEWHERE',
        /already belongs to group/,
      ],
      [
        { msisdn: f.number(), shortNumber: '6003', identity: 'belongs' },
        422,
        'UNKNOWN_ACCOUNT',
        /has no account here/,
      ],
      [
        { msisdn: postpaid, shortNumber: '6004', identity: 'belongs' },
        422,
        'NOT_PREPAID',
        /is not a prepaid account/,
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const answer = await register(g, body);
      expect(answer.status, code).toBe(status);
      expect(answer.body.code).toBe(code);
      expect(answer.body.message).toMatch(message);
    }
    const joiner = f.number();
    expect((await register(g, { msisdn: joiner, shortNumber: '6005', identity: 'joins' })).status).toBe(201);
    const taken = await register(g, { msisdn: f.number(), shortNumber: '6005', identity: 'joins' });
    expect(taken).toMatchObject({ status: 409, body: { code: 'SHORT_NUMBER_TAKEN' } });
    expect(taken.body.message).toContain(joiner);
    const again = await register(g, { msisdn: joiner, shortNumber: '6006', identity: 'joins' });
    expect(again).toMatchObject({ status: 409, body: { code: 'ALREADY_MEMBER' } });
    // The owner may still join here while it belongs elsewhere.
    expect((await register(g, { msisdn: owner, shortNumber: '6007', identity: 'joins' })).status).toBe(201);
    const full = await register(g, { msisdn: f.number(), shortNumber: '6008', identity: 'joins' });
    expect(full).toMatchObject({ status: 409, body: { code: 'GROUP_FULL' } });
    expect(
      (await register('none', { msisdn: f.number(), shortNumber: '6001', identity: 'joins' })).status,
    ).toBe(404);
    const shape = await register(g, { msisdn: f.number(), shortNumber: '60a1', identity: 'joins' });
    expect(shape.status).toBe(400);
    expect(shape.body.problems).toEqual([{ field: 'body.shortNumber', reason: 'must be 1 to 8 digits' }]);
  });

  it('unregisters a member; leaving the group it belongs to ends its activation', async () => {
    const g = await group();
    const owner = await f.account(10_000);
    await register(g, { msisdn: owner, shortNumber: '6001', identity: 'belongs' });
    await f.call('PUT', '/v1/vpn/packages/pkg-unreg', { body: VPN_300 });
    await f.call('POST', '/v1/vpn/activations', {
      body: { msisdn: owner, package: 'pkg-unreg', when: 'immediate' },
    });
    const answer = await f.call('DELETE', `/v1/vpn/groups/${g}/members/${owner}`);
    expect(answer).toMatchObject({
      status: 200,
      body: { group: g, msisdn: owner, identity: 'belongs', activationEnded: true },
    });
    expect((await f.call('GET', `/v1/vpn/activations/${owner}`)).status).toBe(404);
    const gone = await f.call('DELETE', `/v1/vpn/groups/${g}/members/${owner}`);
    expect(gone).toMatchObject({ status: 404, body: { code: 'MEMBER_NOT_FOUND' } });
  });
});

describe('packages and activations (ZTE FIG. 3)', () => {
  it('creates, reads and lists a package; 404 for an unknown one; 400 for a bad level', async () => {
    const created = await f.call('PUT', '/v1/vpn/packages/vpn-300', { body: VPN_300 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'vpn-300',
      ...VPN_300,
      smsPricePerMessage: 0,
      onSuspension: 'reauthorize',
    });
    expect((await f.call('PUT', '/v1/vpn/packages/vpn-300', { body: VPN_300 })).status).toBe(200);
    expect((await f.call('GET', '/v1/vpn/packages/vpn-300')).body).toEqual(created.body);
    expect((await f.call('GET', '/v1/vpn/packages')).body.items).toContainEqual(created.body);
    expect((await f.call('GET', '/v1/vpn/packages/none')).body.code).toBe('PACKAGE_NOT_FOUND');
    const bad = await f.call('PUT', '/v1/vpn/packages/bad', { body: { ...VPN_300, levels: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'body.levels', reason: 'name at least one level' }]);
  });

  it('activates immediately: the fee is charged now, free credits reset, the account shows it', async () => {
    await f.call('PUT', '/v1/vpn/packages/vpn-300', { body: VPN_300 });
    const g = await group();
    const owner = await f.account(2000);
    await register(g, { msisdn: owner, shortNumber: '6001', identity: 'belongs' });
    const answer = await f.call('POST', '/v1/vpn/activations', {
      body: { msisdn: owner, package: 'vpn-300', when: 'immediate' },
    });
    expect(answer.status).toBe(201);
    const activation = {
      msisdn: owner,
      package: 'vpn-300',
      status: 'active',
      activeFrom: '2026-03',
      paidThrough: '2026-03',
    };
    expect(answer.body).toEqual({ activation, charged: 500, changed: true });
    const again = await f.call('POST', '/v1/vpn/activations', {
      body: { msisdn: owner, package: 'vpn-300', when: 'immediate' },
    });
    expect(again).toMatchObject({ status: 200, body: { charged: 0, changed: false } });
    const account = await f.call('GET', `/v1/accounts/${owner}`);
    expect(account.body.vpn.activation).toEqual(activation);
    expect(account.body.buckets.money).toEqual({ available: 1500, reserved: 0, spent: 500 });
    expect(account.body.buckets['vpn:vpn-300:L0']).toEqual({ available: 18000, reserved: 0, spent: 0 });
    expect((await f.call('GET', `/v1/vpn/activations/${owner}`)).body).toEqual(activation);
  });

  it('refuses an activation that breaks a rule, charging and storing nothing', async () => {
    await f.call('PUT', '/v1/vpn/packages/vpn-300', { body: VPN_300 });
    const g = await group();
    const joiner = await f.account(2000);
    await register(g, { msisdn: joiner, shortNumber: '6001', identity: 'joins' });
    const poor = await f.account(100);
    await register(g, { msisdn: poor, shortNumber: '6002', identity: 'belongs' });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ msisdn: joiner, package: 'vpn-300', when: 'immediate' }, 422, 'NOT_BELONGING'],
      [{ msisdn: poor, package: 'vpn-300', when: 'immediate' }, 422, 'INSUFFICIENT_FUNDS'],
      [{ msisdn: poor, package: 'none', when: 'immediate' }, 404, 'PACKAGE_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await f.call('POST', '/v1/vpn/activations', { body });
      expect(answer.status, code).toBe(status);
      expect(answer.body.code).toBe(code);
    }
    expect((await f.store.getAccount(poor))?.buckets.money).toEqual({
      available: 100,
      reserved: 0,
      spent: 0,
    });
    expect((await f.call('GET', `/v1/vpn/activations/${poor}`)).body.code).toBe('ACTIVATION_NOT_FOUND');
    const when = await f.call('POST', '/v1/vpn/activations', {
      body: { msisdn: poor, package: 'vpn-300', when: 'soon' },
    });
    expect(when.status).toBe(400);
    expect(when.body.problems[0].field).toBe('body.when');
  });

  it('starts a next-month activation at the monthly run, suspends an unpaid one, and resumes it when paid', async () => {
    await f.call('PUT', '/v1/vpn/packages/vpn-300', { body: VPN_300 });
    const g = await group();
    const rich = await f.account(2000);
    const poor = await f.account(600);
    await register(g, { msisdn: rich, shortNumber: '6001', identity: 'belongs' });
    await register(g, { msisdn: poor, shortNumber: '6002', identity: 'belongs' });
    for (const msisdn of [rich, poor]) {
      const answer = await f.call('POST', '/v1/vpn/activations', {
        body: { msisdn, package: 'vpn-300', when: 'next-month' },
      });
      expect(answer.body).toMatchObject({
        charged: 0,
        changed: true,
        activation: { status: 'pending', activeFrom: '2026-04' },
      });
    }
    // The poor account spends its money before April.
    await f.store.setBucket({
      opId: 'spend',
      msisdn: poor,
      bucket: 'money',
      available: 100,
      nowMs: f.clock.ms,
    });

    f.clock.ms = Date.UTC(2026, 3, 1, 0, 5);
    const run = await f.call('POST', '/v1/vpn/monthly-runs', { body: {} });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ month: '2026-04', failed: [] });
    expect(run.body.charged).toBeGreaterThanOrEqual(1);
    expect(run.body.suspended).toBeGreaterThanOrEqual(1);
    expect((await f.call('GET', `/v1/vpn/activations/${rich}`)).body).toMatchObject({
      status: 'active',
      paidThrough: '2026-04',
    });
    expect((await f.call('GET', `/v1/vpn/activations/${poor}`)).body).toMatchObject({ status: 'suspended' });
    const again = await f.call('POST', '/v1/vpn/monthly-runs', { body: { month: '2026-04' } });
    expect(again.body).toMatchObject({ charged: 0 });

    const unpaid = await f.call('POST', `/v1/vpn/activations/${poor}/resume`);
    expect(unpaid).toMatchObject({ status: 422, body: { code: 'INSUFFICIENT_FUNDS' } });
    await f.call('POST', `/v1/accounts/${poor}/topups`, { body: { amount: 1000, reference: 'resume' } });
    const resumed = await f.call('POST', `/v1/vpn/activations/${poor}/resume`);
    expect(resumed).toMatchObject({
      status: 200,
      body: { charged: 500, changed: true, activation: { status: 'active', paidThrough: '2026-04' } },
    });
    expect((await f.call('POST', `/v1/vpn/activations/${rich}/resume`)).body).toMatchObject({
      charged: 0,
      changed: false,
    });
    expect((await f.call('POST', `/v1/vpn/activations/${f.number()}/resume`)).status).toBe(404);
    f.clock.ms = Date.UTC(2026, 2, 15, 8);
  });

  it('answers 400 for a month that is not one', async () => {
    const answer = await f.call('POST', '/v1/vpn/monthly-runs', { body: { month: '2026-13' } });
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([{ field: 'body.month', reason: "must be a month 'YYYY-MM'" }]);
    const early = await f.call('POST', '/v1/vpn/monthly-runs', { body: { month: '2026-04' } });
    expect(early.status).toBe(400);
    expect(early.body.problems).toEqual([
      {
        field: 'body.month',
        reason: '2026-04 has not begun (it is 2026-03 UTC); its fees are charged when it has',
      },
    ]);
  });
});
