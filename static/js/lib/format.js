/**
 * Numbers for people: counted nouns, statistics with their units, and shares as percentages,
 * all in British English.
 */

const NUMBER = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 });

/** "1 partnership" / "3 partnerships". */
export function plural(n, word) {
  return `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;
}

/** A number for people: 3 significant figures, with the unit where it reads well. */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return 'no data';
  const n = NUMBER.format(value);
  if (unit === '%') return `${n}%`;
  if (!unit || unit === 'score' || unit === 'rank') return n;
  return `${n} ${unit}`;
}

/** A 0–1 share as a whole percentage, never rounded to 0% or 100% when it is not. */
export function formatShare(share) {
  if (share === null || share === undefined) return 'no data';
  if (share > 0 && share < 0.005) return 'under 1%';
  if (share < 1 && share >= 0.995) return 'over 99%';
  return `${Math.round(share * 100)}%`;
}
