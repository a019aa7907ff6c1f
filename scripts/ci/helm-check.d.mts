/** Types of helm-check.mjs, for the tests that render the chart with it. */
export interface Rendered {
  ok: boolean;
  // Rendered Kubernetes objects, as parsed from YAML.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  objects: any[];
  stderr: string;
}
export interface RenderOptions {
  files?: string[];
  values?: unknown[];
  release?: string;
  namespace?: string;
}
export const ROOT: string;
export const CHART: string;
export function ensureHelm(log?: (line: string) => void): string;
export function renderChart(helm: string, options?: RenderOptions): Rendered;
export function renderNotes(helm: string, options?: { files?: string[]; values?: unknown[] }): string;
export function objectProblems(objects: unknown[]): Promise<string[]>;
export function docsValues(): { name: string; yaml: string }[];
export const BAD_VALUES: { name: string; values: unknown; refusal: RegExp }[];
