import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const PRODUCT_NAME = pkg.name;
export const VERSION = pkg.version;

/** Firmware-Revision (RFC 6733 §5.3.4) is an Unsigned32: 1.2.3 becomes 10203. */
export function firmwareRevision(version = VERSION): number {
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  return major * 10000 + minor * 100 + patch;
}
