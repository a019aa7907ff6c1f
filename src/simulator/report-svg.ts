import type { Report } from './report.js';

const WIDTH = 800;
const HEIGHT = 480;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 50 };
const COLOURS: Record<string, string> = {
  'CCR-I': '#1f77b4',
  'CCR-U': '#ff7f0e',
  'CCR-T': '#2ca02c',
  'CCR-E': '#d62728',
  all: '#555555',
};
/** Where `max` is drawn: one decade past 99.999%. */
const MAX_X = 6;

/** The x of a percentile on the usual HdrHistogram plot: log10(1 / (1 - p)). */
export function percentileX(percentile: number): number {
  if (percentile >= 100) return MAX_X;
  return Math.min(MAX_X, Math.log10(1 / (1 - percentile / 100)));
}

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Latency by percentile, one line per CC-Request-Type, as a self-contained SVG document. */
export function latencySvg(report: Report): string {
  const series = Object.entries(report.latencyMs).filter(([, s]) => s.distribution.length > 0);
  const top = niceCeiling(Math.max(0, ...series.map(([, s]) => s.max)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (p: number) => MARGIN.left + (percentileX(p) / MAX_X) * plotW;
  const y = (ms: number) => MARGIN.top + plotH - (ms / top) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(
    `<text x="${MARGIN.left}" y="22" font-size="14">${escape(`Latency by percentile: ${report.scenario}, ${report.ccr.perSecond.toFixed(0)} CCR/s`)}</text>`,
  );
  const ticks: [number, string][] = [
    [0, '0%'],
    [90, '90%'],
    [99, '99%'],
    [99.9, '99.9%'],
    [99.99, '99.99%'],
    [99.999, '99.999%'],
    [100, 'max'],
  ];
  for (const [p, label] of ticks) {
    const px = x(p).toFixed(1);
    out.push(`<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    out.push(`<text x="${px}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${label}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (top * i) / 5;
    const py = y(v).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + plotW}" y2="${py}" stroke="#ddd"/>`);
    out.push(
      `<text x="${MARGIN.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${+v.toFixed(3)}</text>`,
    );
  }
  out.push(
    `<text x="18" y="${MARGIN.top + plotH / 2}" transform="rotate(-90 18 ${MARGIN.top + plotH / 2})" text-anchor="middle">milliseconds</text>`,
  );
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">percentile</text>`);
  series.forEach(([label, s], i) => {
    const colour = COLOURS[label] ?? '#9467bd';
    const points = s.distribution.map(([p, ms]) => `${x(p).toFixed(1)},${y(ms).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`);
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + plotW + 15;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    out.push(
      `<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escape(`${label} p99 ${s.p99} ms`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
