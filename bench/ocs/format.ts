/** A figure with thousands separators and a fixed number of decimals; n/a when not measured. */
export function num(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
}
