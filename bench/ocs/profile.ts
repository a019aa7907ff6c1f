import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** The server's hottest functions by self time, from its .cpuprofile (BENCH_PROFILE=1). */
export function profileSummary(dir: string): string[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return [`no .cpuprofile was written in ${dir}`];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits || node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + hits);
    const place = url.includes('/node_modules/')
      ? `node_modules/${url.split('/node_modules/')[1]!.split('/')[0]!}`
      : url.includes('/dist/')
        ? `dist/${url.split('/dist/')[1]!.split('/')[0]!}`
        : url
          ? url.startsWith('node:')
            ? 'node internals'
            : basename(url)
          : functionName || '(native)';
    byFile.set(place, (byFile.get(place) ?? 0) + hits);
  }
  const pct = (n: number) => `${((n * 100) / total).toFixed(1).padStart(5)}%`;
  const lines = [`CPU profile of the server (${join(dir, file)}), self time of the busy time:`];
  lines.push('  by place:');
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12))
    lines.push(`    ${pct(v)}  ${k}`);
  lines.push('  by function:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`    ${pct(v)}  ${k}`);
  return lines;
}
