/**
 * The words the server defines for the map (council roles, partnership currency, the coverage
 * colourings), read once from the page's JSON (#map-labels, rendered by app/maplabels.py) so no
 * vocabulary is copied into the scripts.
 */

import { pageData } from '../lib/dom.js';

const EMPTY = {
  council_roles: {},
  currency: { labels: {}, unconfirmed_since: '{year}', titles: {} },
  coverage: {},
};

/** The labels the page carries (empty tables if it carries none). */
export const LABELS = { ...EMPTY, ...(pageData('map-labels') || {}) };

/** A partnership's currency in words, as the server's pages write it. */
export function currencyLabel(currency, evidenceYear) {
  const { labels, unconfirmed_since: since } = LABELS.currency;
  if (currency === 'unconfirmed' && evidenceYear) return since.replace('{year}', String(evidenceYear));
  return labels[currency] || labels.current || '';
}
