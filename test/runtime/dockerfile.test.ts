/**
 * The image as the Dockerfile describes it, checked without a Docker engine: the base pinned to
 * an exact release of an LTS line (or a digest), OCI labels that match package.json, a numeric
 * non-root user; and package.json's engines still Node 20.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  version: string;
  license: string;
  engines: { node: string };
};

/** The instructions, continuation lines joined and comments left out. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const args = new Map(
  instructions.flatMap((line) => {
    const match = /^ARG\s+([A-Z_]+)=(?:"([^"]*)"|(\S*))$/.exec(line);
    return match ? [[match[1]!, match[2] ?? match[3] ?? ''] as const] : [];
  }),
);

/** `node:24.19.0-trixie-slim`, optionally `@sha256:<64 hex>`: an exact release, never a moving tag. */
const PINNED = /^node:(\d+)\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/;

describe('Dockerfile', () => {
  it('builds every stage on one base, pinned to an exact release of an LTS line', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const base = args.get('NODE_IMAGE');
    expect(base).toMatch(PINNED);
    const major = Number(PINNED.exec(base!)![1]);
    // Even majors become LTS; 24 ("Krypton") is the current one.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(24);
    for (const from of froms) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}( AS \w+)?$/);
  });

  it('labels the image with the OCI keys, its version and licence from package.json', () => {
    const label = instructions.find((line) => line.startsWith('LABEL '));
    expect(label).toBeDefined();
    const labels = Object.fromEntries(
      [...label!.matchAll(/(org\.opencontainers\.image\.[a-z]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(labels).sort()).toEqual(
      ['description', 'licenses', 'revision', 'source', 'title', 'version'].map(
        (k) => `org.opencontainers.image.${k}`,
      ),
    );
    expect(labels['org.opencontainers.image.licenses']).toBe(pkg.license);
    expect(labels['org.opencontainers.image.version']).toBe('${VERSION}');
    expect(args.get('VERSION')).toBe(pkg.version);
    expect(labels['org.opencontainers.image.source']).toBe('${SOURCE_URL}');
  });

  it('runs as a numeric user that is not root', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.slice(5).split(':').map(Number);
    expect(Number.isInteger(uid) && uid! > 0).toBe(true);
    expect(Number.isInteger(gid) && gid! > 0).toBe(true);
  });

  it('leaves the code on Node 20 and later', () => {
    expect(pkg.engines.node).toBe('>=20');
  });
});
