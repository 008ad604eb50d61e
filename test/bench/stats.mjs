/** Percentile (nearest rank) of an array of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Rounds for display. */
export function round(n, digits = 2) {
  return Number(n.toFixed(digits));
}
