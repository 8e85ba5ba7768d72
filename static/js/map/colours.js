/**
 * The local authorities' fills: partnership counts, an indicator in quantile classes, a coverage
 * share, or the council's school-improvement role; hatched for none, dotted for no data. The
 * colours are loaded here (counts always, as popups use them).
 */

import { ApiError, getJSON } from '../lib/api.js';
import { LABELS } from './labels.js';
import { apiFilters } from './state.js';

export const NONE_FILL = 'url(#pm-hatch)';

const NO_DATA_FILL = 'url(#pm-dots)';

/** The `colour` value for the council's school-improvement role, from the landscape register. */
const ROLE_COLOUR = 'council_role';

/** Each council role's colour (Okabe-Ito colours, told apart with colour blindness), in key order; 'unknown' is hatched. */
export const ROLE_COLOURS = {
  in_house_team: '#0072b2',
  traded_company: '#e69f00',
  commissioned_partnership: '#009e73',
  little_or_none: '#cc79a7',
};

/** The fill of an LA the form-of-collaboration filter leaves out. */
export const FORM_MASK_FILL = '#f3f2f1';

export const COUNT_CLASSES = [
  { min: 1, max: 1, label: '1', colour: '#c7e9b4' },
  { min: 2, max: 2, label: '2', colour: '#7fcdbb' },
  { min: 3, max: 4, label: '3 to 4', colour: '#41b6c4' },
  { min: 5, max: 9, label: '5 to 9', colour: '#2c7fb8' },
  { min: 10, max: Infinity, label: '10 or more', colour: '#253494' },
];

export const INDICATOR_COLOURS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];

/** Coverage classes: a share of an LA's schools (above 0, below max); none is hatched, no schools dotted. */
export const COVERAGE_CLASSES = [
  { max: 0.25, label: 'Under 25%', colour: '#c7e9b4' },
  { max: 0.5, label: '25% to under 50%', colour: '#7fcdbb' },
  { max: 0.75, label: '50% to under 75%', colour: '#41b6c4' },
  { max: 1, label: '75% to under 100%', colour: '#2c7fb8' },
  { max: Infinity, label: 'All schools (100%)', colour: '#253494' },
];

/** The coverage colours (the `colour` parameter's values), the /api/v1/coverage fields they read, and their words. */
const COVERAGE_MEASURES = LABELS.coverage;

/** Upper bounds of up to five classes with about as many LAs in each (quantiles), and the minimum. */
function quantileBreaks(values) {
  const sorted = Object.values(values).filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  const breaks = [];
  for (let i = 1; sorted.length && i <= INDICATOR_COLOURS.length; i += 1) {
    const index = Math.min(sorted.length - 1, Math.ceil((i * sorted.length) / INDICATOR_COLOURS.length) - 1);
    const value = sorted[index];
    if (!breaks.length || value > breaks[breaks.length - 1]) breaks.push(value);
  }
  return { breaks, min: sorted.length ? sorted[0] : null };
}

/** Methods of the map that choose and load the LA colours. */
export const colourMethods = {
  /** An LA's fill: its count, indicator or coverage class; patterns for none and no data. */
  fillFor(code) {
    if (this.state.form && this.landscape && !this.hasForm(code)) return FORM_MASK_FILL;
    if (this.roles) return this.roleFill(code);
    if (this.coverage) {
      const share = this.coverageShare(code);
      if (share === null) return NO_DATA_FILL;
      if (share === 0) return NONE_FILL;
      return COVERAGE_CLASSES.find((c) => share < c.max).colour;
    }
    if (this.indicator) {
      const value = this.indicator.values[code];
      if (value === null || value === undefined) return NO_DATA_FILL;
      const i = this.indicator.breaks.findIndex((b) => value <= b);
      return INDICATOR_COLOURS[i < 0 ? INDICATOR_COLOURS.length - 1 : i];
    }
    const n = this.counts[code] || 0;
    if (n === 0) return NONE_FILL;
    return COUNT_CLASSES.find((c) => n >= c.min && n <= c.max).colour;
  },

  /** An LA's share of schools for the chosen coverage measure (null when it has no schools). */
  coverageShare(code) {
    const row = this.coverage && this.coverage.las.get(code);
    const share = row ? row[`${this.coverage.measure.field}_share`] : null;
    return share === undefined ? null : share;
  },

  /** Coverage by LA, with the combined authority and region totals, fetched once per page. */
  coverageTable() {
    if (!this.coverageData) {
      const byCode = (rows) => new Map((rows || []).map((r) => [r.code, r]));
      this.coverageData = getJSON('/api/v1/coverage').then((data) => ({
        las: byCode(data.local_authorities),
        cas: byCode(data.combined_authorities),
        regions: byCode(data.regions),
      }));
      this.coverageData.catch(() => { this.coverageData = null; });
    }
    return this.coverageData;
  },

  /** The LA counts after the filters (always: popups use them), and an indicator's values or coverage if chosen. */
  async loadColours() {
    const token = ++this.requests.colours;
    const colour = this.state.colour;
    const measure = COVERAGE_MEASURES[colour] || null;
    const query = apiFilters(this.state, { area: false, q: false });
    query.set('level', 'local_authority');
    try {
      const [counts, data, coverage, landscape] = await Promise.all([
        getJSON(`/api/v1/areas/counts?${query}`),
        colour && colour !== 'count' && colour !== ROLE_COLOUR && !measure ? getJSON(`/api/v1/indicators/${encodeURIComponent(colour)}/values`) : null,
        measure ? this.coverageTable() : null,
        colour === ROLE_COLOUR || this.state.form ? this.landscapeTable() : null,
      ]);
      if (token !== this.requests.colours) return;
      this.landscape = landscape || this.landscape;
      this.roles = colour === ROLE_COLOUR ? landscape : null;
      this.counts = counts;
      this.indicator = data ? { meta: data.indicator, values: data.values, ...quantileBreaks(data.values) } : null;
      this.coverage = coverage ? { measure, ...coverage } : null;
      this.restyle();
      const popup = this.areaPopupRef;
      if (popup && popup.isOpen()) popup.update();
    } catch (err) {
      if (token !== this.requests.colours) return;
      if (colour !== 'count' && err instanceof ApiError && err.status === 404) {
        this.state.colour = 'count';
        this.syncColourSelect();
        await this.loadColours();
        return;
      }
      this.showProblem(`The map colours did not load: ${err.message}`);
    }
  },
};
