import { readFileSync } from 'node:fs';

/** Messages captured between two independent implementations (see test/vectors/README.md). */
export interface Vector {
  name: string;
  bytes: Buffer;
}

const FILE = new URL('../vectors/gy-otp-vectors.json', import.meta.url);

export function loadVectors(): Vector[] {
  const parsed = JSON.parse(readFileSync(FILE, 'utf8')) as { messages: { name: string; hex: string }[] };
  return parsed.messages.map((m) => ({ name: m.name, bytes: Buffer.from(m.hex, 'hex') }));
}

export function vector(name: string): Buffer {
  const v = loadVectors().find((x) => x.name === name);
  if (!v) throw new Error(`no vector named ${name}`);
  return v.bytes;
}
