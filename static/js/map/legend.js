/**
 * The map's key, a control that folds away: the LA colours (counts, indicator classes, coverage or
 * council roles), combined authorities, partnerships, schools and trusts, as the map shows them now.
 */

import { el, link, swatch } from '../lib/dom.js';
import { formatValue, plural } from '../lib/format.js';
import { COUNT_CLASSES, COVERAGE_CLASSES, INDICATOR_COLOURS } from './colours.js';
import { SCHOOL_MIN_ZOOM } from './layers/schools.js';
import { TRUSTS_CAPPED_NOTE } from './layers/trusts.js';

const L = window.L;


/** Methods of the map for its key. */
export const legendMethods = {
  /** The legend, a map control that can be folded away. */
  makeLegend() {
    const legend = L.control({ position: 'topright' });
    legend.onAdd = () => {
      const details = el('details', 'legend pm-legend');
      details.open = !window.matchMedia('(max-width: 800px)').matches;
      details.append(el('summary', null, 'Key'));
      this.legendBody = el('div', 'pm-legend__body');
      details.append(this.legendBody);
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    };
    legend.addTo(this.map);
    this.updateLegend();
  },

  /** Redraw the legend for what the map shows now. */
  updateLegend() {
    if (!this.legendBody) return;
    const parts = [];
    if (this.state.layers.includes('la')) parts.push(...this.areaLegend());
    if (this.state.layers.includes('ca')) {
      parts.push(el('p', 'pm-legend__title', 'Combined authorities'));
      parts.push(el('ul', 'pm-legend__items',
        el('li', null, el('span', 'pm-swatch pm-swatch--line pm-swatch--mayoral', ''), 'Mayoral (solid line)'),
        el('li', null, el('span', 'pm-swatch pm-swatch--line pm-swatch--dashed', ''), 'Not mayoral (dashed line)')));
    }
    if (this.state.layers.includes('partnerships')) {
      const items = [
        el('li', null, el('span', 'pm-swatch pm-swatch--marker', ''), 'Local partnership (circle)'),
      ];
      if (this.state.national || this.state.kind.length) {
        items.push(el('li', null, el('span', 'pm-swatch pm-swatch--marker-national', ''), 'National programme (diamond)'));
      }
      items.push(el('li', null, el('span', 'pm-swatch pm-swatch--cluster', '3'), 'Group of nearby partnerships'));
      parts.push(el('p', 'pm-legend__title', 'Partnerships (at the middle of the areas they serve)'));
      parts.push(el('ul', 'pm-legend__items', ...items));
    }
    if (this.state.layers.includes('schools')) {
      parts.push(el('p', 'pm-legend__title', 'Schools'));
      if (this.map && this.map.getZoom() < SCHOOL_MIN_ZOOM) {
        parts.push(el('p', 'pm-legend__note', 'Zoom in further to see schools.'));
      } else {
        parts.push(el('ul', 'pm-legend__items',
          el('li', null, el('span', 'pm-swatch pm-swatch--academy', ''), 'Academy (filled)'),
          el('li', null, el('span', 'pm-swatch pm-swatch--maintained', ''), 'Other school (hollow)')));
      }
    }
    if (this.state.layers.includes('trusts')) {
      parts.push(el('p', 'pm-legend__title', 'Academy trusts (at their head offices)'));
      parts.push(el('ul', 'pm-legend__items',
        el('li', null, el('span', 'pm-swatch pm-swatch--trust', ''), 'Trust (square)')));
      if (this.trustsCapped()) {
        parts.push(el('p', 'pm-legend__note', TRUSTS_CAPPED_NOTE));
      }
    }
    if (!parts.length) parts.push(el('p', 'pm-legend__note', 'No layers are switched on.'));
    this.legendBody.replaceChildren(...parts);
  },

  /** The legend's part for the LA colours: count, indicator or coverage classes. */
  areaLegend() {
    const formNote = this.formLegend();
    if (this.roles) return [...this.roleLegend(), ...formNote];
    if (formNote.length) return [...formNote, ...this.colourLegend()];
    return this.colourLegend();
  },

  /** The legend's part for the count, indicator or coverage colours. */
  colourLegend() {
    if (this.coverage) {
      const { title, note } = this.coverage.measure;
      return [
        el('p', 'pm-legend__title', title),
        el('p', 'pm-legend__note', note),
        el('ul', 'pm-legend__items',
          el('li', null, el('span', 'pm-swatch pm-swatch--none', ''), 'None (hatched)'),
          ...COVERAGE_CLASSES.map((c) => el('li', null, swatch(c.colour), c.label)),
          el('li', null, el('span', 'pm-swatch pm-swatch--nodata', ''), 'No schools or no data (dotted)')),
        el('p', 'pm-legend__link', link('/coverage', 'Totals by combined authority and region')),
      ];
    }
    if (this.indicator) {
      const { label, unit, period, source, polarity } = this.indicator.meta;
      const { breaks, min } = this.indicator;
      const rows = INDICATOR_COLOURS.map((colour, i) => {
        const from = i === 0 ? min : breaks[i - 1];
        const to = breaks[i];
        if (to === undefined || from === undefined) return null;
        return el('li', null, swatch(colour), `${formatValue(from, unit)} to ${formatValue(to, unit)}`);
      }).filter(Boolean);
      rows.push(el('li', null, el('span', 'pm-swatch pm-swatch--nodata', ''), 'No data (dotted)'));
      const direction = { higher_is_better: 'Higher is better.', lower_is_better: 'Lower is better.' }[polarity] || '';
      return [
        el('p', 'pm-legend__title', `${label}${period ? ` (${period})` : ''}`),
        el('p', 'pm-legend__note', `Darker means higher. ${direction}`.trim()),
        el('ul', 'pm-legend__items', ...rows),
        el('p', 'pm-legend__source', `Source: ${source}`),
      ];
    }
    const note = this.filterSummary();
    return [
      el('p', 'pm-legend__title', 'Partnerships serving each local authority'),
      el('p', 'pm-legend__note', note),
      el('ul', 'pm-legend__items',
        el('li', null, el('span', 'pm-swatch pm-swatch--none', ''), 'None recorded yet (hatched)'),
        ...COUNT_CLASSES.map((c) => el('li', null, swatch(c.colour), c.label))),
    ];
  },

  /** In words: which partnerships the counts include. */
  filterSummary() {
    const bits = [];
    if (this.state.theme.length) bits.push(plural(this.state.theme.length, 'theme') + ' chosen');
    if (this.state.kind.length) bits.push(plural(this.state.kind.length, 'kind') + ' chosen');
    if (this.state.trust) bits.push('involving an academy trust');
    const scope = this.state.national ? 'Local partnerships and national programmes' : 'Local partnerships only';
    return `${scope}${bits.length ? `; ${bits.join(', ')}` : ''}.`;
  },
};
