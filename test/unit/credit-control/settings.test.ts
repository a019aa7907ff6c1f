/** Charging settings (src/credit-control/settings.ts): defaults, validation, the YAML file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChargingSettingsError,
  chargingSettings,
  finalUnitIndication,
  loadChargingSettings,
} from '../../../src/credit-control/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'charging-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chargingSettings', () => {
  it('has defaults for every service', () => {
    expect(chargingSettings()).toEqual({
      voice: { defaultQuota: 300, maxQuota: 3600, validityTime: 3600 },
      data: {
        defaultQuota: 10 * 1048576,
        maxQuota: 1024 * 1048576,
        validityTime: 3600,
        quotaHoldingTime: 300,
      },
      sms: { defaultQuota: 1, maxQuota: 100, validityTime: 3600 },
      finalUnit: { action: 'terminate' },
      tccGraceSeconds: 60,
      numbering: { countryCode: '', nationalPrefix: '0', internationalPrefix: '00', nationalNumberLength: 0 },
      serviceContexts: {},
      subscriptionIdTypes: ['e164', 'sip-uri'],
      closedSessionTtlSeconds: 300,
      cdrMaxLen: 1000000,
      refunds: { peers: [], maxPerRequest: 10000 },
      creditControlFailureHandling: 'terminate',
    });
  });

  it('takes REDIRECT and RESTRICT_ACCESS final units', () => {
    const redirect = chargingSettings({
      finalUnit: { action: 'redirect', redirect: { addressType: 'url', address: 'http://topup.example/' } },
    });
    expect(finalUnitIndication(redirect)).toEqual({
      action: 'redirect',
      redirect: { addressType: 'url', address: 'http://topup.example/' },
    });
    const restrict = chargingSettings({ finalUnit: { action: 'restrict-access', filterIds: ['topup'] } });
    expect(finalUnitIndication(restrict)).toEqual({
      action: 'restrict-access',
      restrictionFilterRules: [],
      filterIds: ['topup'],
    });
  });

  it('reports every bad setting with its path', () => {
    const attempt = () =>
      chargingSettings({
        voice: { defaultQuota: 0, maxQuota: 60, validityTime: 1.5 },
        finalUnit: { action: 'redirect' },
        tccGraceSeconds: -1,
      });
    expect(attempt).toThrow(ChargingSettingsError);
    expect(attempt).toThrow(/voice\.defaultQuota: /);
    expect(attempt).toThrow(/voice\.validityTime: /);
    expect(attempt).toThrow(/finalUnit\.redirect: /);
    expect(attempt).toThrow(/tccGraceSeconds: /);
  });
});

describe('loadChargingSettings', () => {
  it('gives the defaults without a file', () => {
    expect(loadChargingSettings(undefined)).toEqual(chargingSettings());
  });

  it('reads YAML, and an empty file as the defaults', () => {
    const file = join(dir, 'charging.yaml');
    writeFileSync(file, 'tccGraceSeconds: 5\nsms: { defaultQuota: 2, maxQuota: 10, validityTime: 60 }\n');
    expect(loadChargingSettings(file)).toMatchObject({
      tccGraceSeconds: 5,
      sms: { defaultQuota: 2, maxQuota: 10, validityTime: 60 },
    });
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    expect(loadChargingSettings(empty)).toEqual(chargingSettings());
  });

  it('names CHARGING_CONFIG when the file cannot be read', () => {
    expect(() => loadChargingSettings(join(dir, 'missing.yaml'))).toThrow(
      /^CHARGING_CONFIG=.*missing\.yaml: /,
    );
  });
});

describe('the settings file, key by key', () => {
  it('takes one field of a service and keeps that service defaults for the others', () => {
    const settings = chargingSettings({ voice: { maxQuota: 7200 }, data: { validityTime: 600 } });
    expect(settings.voice).toEqual({ defaultQuota: 300, maxQuota: 7200, validityTime: 3600 });
    expect(settings.data).toEqual({
      defaultQuota: 10 * 1048576,
      maxQuota: 1024 * 1048576,
      validityTime: 600,
    });
    expect(chargingSettings({ numbering: { countryCode: '86' } }).numbering).toEqual({
      countryCode: '86',
      nationalPrefix: '0',
      internationalPrefix: '00',
      nationalNumberLength: 0,
    });
  });

  it('keeps charges for refunds only when asked, for at most 400 days', () => {
    expect(chargingSettings().refunds.chargeTtlSeconds).toBeUndefined();
    const month = chargingSettings({ refunds: { chargeTtlSeconds: 30 * 86_400 } });
    expect(month.refunds).toEqual({ peers: [], maxPerRequest: 10_000, chargeTtlSeconds: 2_592_000 });
    expect(() => chargingSettings({ refunds: { chargeTtlSeconds: 0 } })).toThrow(
      /refunds\.chargeTtlSeconds: /,
    );
    expect(() => chargingSettings({ refunds: { chargeTtlSeconds: 401 * 86_400 } })).toThrow(
      /refunds\.chargeTtlSeconds: /,
    );
  });

  it('refuses a key it does not know, at any depth, naming each', () => {
    const attempt = () =>
      chargingSettings({
        tccGrace: 5,
        voice: { maxQuota: 60, validity: 10 },
        finalUnit: { action: 'terminate', redirect: { addressType: 'url', address: 'http://x/' } },
      });
    expect(attempt).toThrow(ChargingSettingsError);
    expect(attempt).toThrow(/tccGrace: not a setting this server knows/);
    expect(attempt).toThrow(/voice\.validity: not a setting this server knows/);
    expect(attempt).toThrow(/finalUnit\.redirect: not a setting this server knows/);
  });
});

describe("the README's settings example", () => {
  it('is a file the server takes, and gives the defaults', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('Charging settings (`CHARGING_CONFIG`'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const file = join(dir, 'readme.yaml');
    writeFileSync(file, yaml ?? '');
    expect(loadChargingSettings(file)).toEqual(chargingSettings());
  });
});
