import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  AVP_TYPES,
  type AvpFile,
  type AvpType,
  type DictionaryFile,
  type GrammarFile,
} from './dictionary-format.js';

export interface AvpDefinition {
  readonly code: number;
  readonly vendorId: number;
  readonly name: string;
  readonly type: AvpType;
  readonly mandatory: boolean;
  readonly valuesByName: ReadonlyMap<string, number>;
  readonly namesByValue: ReadonlyMap<number, string>;
  readonly members: Grammar | undefined;
}

export interface Grammar {
  readonly fixed: readonly AvpDefinition[];
  readonly required: readonly AvpDefinition[];
  readonly optional: readonly AvpDefinition[];
  readonly extensible: boolean;
  readonly repeated: ReadonlySet<AvpDefinition>;
}

export interface CommandDefinition {
  readonly code: number;
  readonly name: string;
  readonly applicationId: number;
  readonly proxiable: boolean;
  readonly request: Grammar;
  readonly answer: Grammar;
}

export class DictionaryError extends Error {
  override name = 'DictionaryError';
}

/**
 * The loaded dictionary, indexed by (code, vendor) for decoding and by name for building
 * messages. Built once at start; lookups on the hot path are Map reads.
 */
export class Dictionary {
  private readonly ietf = new AvpTable();
  private readonly vendors = new Map<number, AvpTable>();
  private readonly byName = new Map<string, AvpDefinition>();
  /** By application id, then command code: numbers all the way, no key built per request. */
  private readonly commands = new Map<number, Map<number, CommandDefinition>>();
  private readonly commandsByName = new Map<string, CommandDefinition>();
  readonly applications = new Map<number, string>();
  readonly vendorNames = new Map<number, string>();

  constructor(files: readonly DictionaryFile[]) {
    for (const file of files) {
      for (const v of file.vendors ?? []) this.vendorNames.set(v.id, v.name);
      for (const a of file.applications ?? []) this.applications.set(a.id, a.name);
      for (const avp of file.avps) this.addAvp(file.name, avp);
    }
    // Grammars name other AVPs, possibly from later files: resolve once everything is known.
    for (const file of files) {
      for (const avp of file.avps) {
        if (avp.members) {
          const def = this.byName.get(avp.name) as { members: Grammar | undefined };
          def.members = this.grammar(`${file.name}: ${avp.name}`, avp.members);
        }
      }
      for (const c of file.commands ?? []) {
        const def: CommandDefinition = {
          code: c.code,
          name: c.name,
          applicationId: c.application,
          proxiable: c.proxiable,
          request: this.grammar(`${file.name}: ${c.name}-Request`, c.request),
          answer: this.grammar(`${file.name}: ${c.name}-Answer`, c.answer),
        };
        let ofApplication = this.commands.get(c.application);
        if (!ofApplication) this.commands.set(c.application, (ofApplication = new Map()));
        ofApplication.set(c.code, def);
        this.commandsByName.set(c.name, def);
      }
    }
  }

  /** The AVP with this code and vendor, or undefined when no dictionary defines it. */
  avp(code: number, vendorId: number): AvpDefinition | undefined {
    return vendorId === 0 ? this.ietf.get(code) : this.vendors.get(vendorId)?.get(code);
  }

  /** The AVP with this name; throws for a name no dictionary defines (a programming error). */
  avpByName(name: string): AvpDefinition {
    const def = this.byName.get(name);
    if (!def) throw new DictionaryError(`no AVP named ${name} in the loaded dictionaries`);
    return def;
  }

  hasAvp(name: string): boolean {
    return this.byName.has(name);
  }

  allAvps(): IterableIterator<AvpDefinition> {
    return this.byName.values();
  }

  command(code: number, applicationId: number): CommandDefinition | undefined {
    return this.commands.get(applicationId)?.get(code) ?? this.commands.get(0)?.get(code);
  }

  commandByName(name: string): CommandDefinition {
    const def = this.commandsByName.get(name);
    if (!def) throw new DictionaryError(`no command named ${name} in the loaded dictionaries`);
    return def;
  }

  /** Whether some command of this code exists, in any application (to tell 3001 from 3007). */
  knowsCommandCode(code: number): boolean {
    for (const ofApplication of this.commands.values()) if (ofApplication.has(code)) return true;
    return false;
  }

  /** The numeric value of an enumerated AVP's named value; throws when the name is unknown. */
  enumValue(avpName: string, valueName: string): number {
    const v = this.avpByName(avpName).valuesByName.get(valueName);
    if (v === undefined) throw new DictionaryError(`${avpName} has no value named ${valueName}`);
    return v;
  }

  private addAvp(fileName: string, avp: AvpFile): void {
    const vendorId = avp.vendor ?? 0;
    const where = `${fileName}: AVP ${avp.name} (${avp.code}, vendor ${vendorId})`;
    if (!Number.isInteger(avp.code) || avp.code < 0 || avp.code > 0xffffffff) {
      throw new DictionaryError(`${where}: code must be a 32-bit unsigned integer`);
    }
    if (!AVP_TYPES.includes(avp.type)) throw new DictionaryError(`${where}: unknown type ${avp.type}`);
    if (avp.type === 'Enumerated' && (!avp.values || Object.keys(avp.values).length === 0)) {
      throw new DictionaryError(`${where}: an Enumerated AVP must list its values`);
    }
    if (this.avp(avp.code, vendorId)) throw new DictionaryError(`${where}: (code, vendor) defined twice`);
    if (this.byName.has(avp.name)) throw new DictionaryError(`${where}: name defined twice`);
    const valuesByName = new Map(Object.entries(avp.values ?? {}));
    const def: AvpDefinition = {
      code: avp.code,
      vendorId,
      name: avp.name,
      type: avp.type,
      mandatory: avp.mandatory,
      valuesByName,
      namesByValue: new Map([...valuesByName].map(([k, v]) => [v, k])),
      members: undefined,
    };
    if (vendorId === 0) this.ietf.set(avp.code, def);
    else {
      let m = this.vendors.get(vendorId);
      if (!m) this.vendors.set(vendorId, (m = new AvpTable()));
      m.set(avp.code, def);
    }
    this.byName.set(avp.name, def);
  }

  private grammar(where: string, g: GrammarFile): Grammar {
    const resolve = (names: string[] | undefined): AvpDefinition[] =>
      (names ?? []).map((n) => {
        const def = this.byName.get(n);
        if (!def) throw new DictionaryError(`${where}: grammar names unknown AVP ${n}`);
        return def;
      });
    return {
      fixed: resolve(g.fixed),
      required: resolve(g.required),
      optional: resolve(g.optional),
      extensible: g.extensible ?? true,
      repeated: new Set(resolve(g.repeated)),
    };
  }
}

/** Codes under this are looked up in an array, the rest (rare, e.g. vendor codes ≥ 2^16) in a Map. */
const DENSE_CODES = 1 << 16;

/**
 * The AVPs of one vendor by code. Every received AVP is looked up here, so the common codes
 * are an array index rather than a hash.
 */
class AvpTable {
  private readonly dense: (AvpDefinition | undefined)[] = [];
  private readonly sparse = new Map<number, AvpDefinition>();

  get(code: number): AvpDefinition | undefined {
    return code < this.dense.length ? this.dense[code] : this.sparse.get(code);
  }

  set(code: number, def: AvpDefinition): void {
    if (code >= DENSE_CODES) {
      this.sparse.set(code, def);
      return;
    }
    while (this.dense.length <= code) this.dense.push(undefined);
    this.dense[code] = def;
  }
}

/** The dictionaries/ folder of this package, found from this module both in src/ and in dist/. */
export const DICTIONARY_DIR = fileURLToPath(new URL('../../dictionaries/', import.meta.url));

/** Loads every *.json dictionary of a folder, in name order (base first by naming). */
export function loadDictionary(dir: string = DICTIONARY_DIR): Dictionary {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      try {
        return JSON.parse(readFileSync(join(dir, f), 'utf8')) as DictionaryFile;
      } catch (err) {
        throw new DictionaryError(`${f}: ${(err as Error).message}`);
      }
    });
  return new Dictionary(files);
}

let shared: Dictionary | undefined;
/** The package's own dictionaries, loaded once per process. */
export function defaultDictionary(): Dictionary {
  return (shared ??= loadDictionary());
}
