import { describe, expect, it } from 'vitest';
import { AvpSwitch } from '../../../src/diameter/avp-switch.js';
import { Dictionary, defaultDictionary } from '../../../src/diameter/dictionary.js';
import type { Avp } from '../../../src/diameter/message.js';

const avp = (code: number, vendorId = 0): Avp => ({ code, vendorId, flags: 0, data: Buffer.alloc(0) });

describe('AvpSwitch', () => {
  const known = new AvpSwitch([
    [{ code: 263, vendorId: 0 }, 1],
    [{ code: 2, vendorId: 10415 }, 2],
    [{ code: 263, vendorId: 10415 }, 3],
    [{ code: 70_000, vendorId: 0 }, 4],
    [{ code: 0xffff_fff0, vendorId: 99 }, 5],
  ]);

  it('tells AVPs apart by code and vendor, wherever their code lies', () => {
    expect(known.of(avp(263))).toBe(1);
    expect(known.of(avp(2, 10415))).toBe(2);
    expect(known.of(avp(263, 10415))).toBe(3);
    expect(known.of(avp(70_000))).toBe(4);
    expect(known.of(avp(0xffff_fff0, 99))).toBe(5);
  });

  it('answers 0 for an AVP it does not know: another code, another vendor, past every code it knows', () => {
    expect(known.of(avp(2))).toBe(0);
    expect(known.of(avp(264))).toBe(0);
    expect(known.of(avp(263, 5535))).toBe(0);
    expect(known.of(avp(5000, 10415))).toBe(0);
    expect(known.of(avp(70_001))).toBe(0);
    expect(known.of(avp(0xffff_ffff))).toBe(0);
  });

  it('refuses an AVP given twice and a number it cannot hold', () => {
    expect(
      () =>
        new AvpSwitch([
          [{ code: 1, vendorId: 0 }, 1],
          [{ code: 1, vendorId: 0 }, 2],
        ]),
    ).toThrow('AVP 1 of vendor 0 given twice');
    expect(() => new AvpSwitch([[{ code: 1, vendorId: 0 }, 0]])).toThrow(RangeError);
    expect(() => new AvpSwitch([[{ code: 1, vendorId: 0 }, 256]])).toThrow(RangeError);
  });
});

describe('dictionary lookups', () => {
  const dict = new Dictionary([
    {
      name: 'test',
      sources: ['RFC 6733'],
      avps: [
        { code: 1, name: 'User-Name', type: 'UTF8String', mandatory: true },
        { code: 100_000, name: 'Big-Code', type: 'Unsigned32', mandatory: false },
        { code: 1, vendor: 10415, name: 'Vendor-One', type: 'OctetString', mandatory: true },
      ],
      commands: [
        { code: 280, name: 'Device-Watchdog', application: 0, proxiable: false, request: {}, answer: {} },
        { code: 272, name: 'Credit-Control', application: 4, proxiable: true, request: {}, answer: {} },
      ],
    },
  ]);

  it('finds an AVP by code and vendor, small or large code, and nothing for one it does not define', () => {
    expect(dict.avp(1, 0)?.name).toBe('User-Name');
    expect(dict.avp(1, 10415)?.name).toBe('Vendor-One');
    expect(dict.avp(100_000, 0)?.name).toBe('Big-Code');
    expect(dict.avp(2, 0)).toBeUndefined();
    expect(dict.avp(50_000, 0)).toBeUndefined();
    expect(dict.avp(100_001, 0)).toBeUndefined();
    expect(dict.avp(1, 5535)).toBeUndefined();
  });

  it('finds a command in its application, a base command in any, and tells known codes', () => {
    expect(dict.command(272, 4)?.name).toBe('Credit-Control');
    expect(dict.command(272, 16777238)).toBeUndefined();
    expect(dict.command(280, 4)?.name).toBe('Device-Watchdog');
    expect(dict.knowsCommandCode(272)).toBe(true);
    expect(dict.knowsCommandCode(271)).toBe(false);
  });

  it('finds every AVP of the package dictionaries by its code and vendor', () => {
    const d = defaultDictionary();
    for (const def of d.allAvps()) expect(d.avp(def.code, def.vendorId)).toBe(def);
  });
});
