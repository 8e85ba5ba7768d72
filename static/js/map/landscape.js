/**
 * The landscape register on the map: councils coloured by their school-improvement role, the
 * form-of-collaboration filter, and each LA popup's role, provider and forms with the source's date.
 */

import { getJSON } from '../lib/api.js';
import { el, link, swatch } from '../lib/dom.js';
import { FORM_MASK_FILL, NONE_FILL, ROLE_COLOURS } from './colours.js';
import { LABELS } from './labels.js';


/** Methods of the map for the landscape register. */
export const landscapeMethods = {
  /** Every LA's landscape row from /api/v1/landscape, by code, fetched once per page. */
  landscapeTable() {
    if (!this.landscapeData) {
      this.landscapeData = getJSON('/api/v1/landscape').then((data) => ({
        labels: data.council_roles,
        forms: data.collaboration_forms,
        las: new Map((data.local_authorities || []).map((r) => [r.code, r])),
      }));
      this.landscapeData.catch(() => { this.landscapeData = null; });
    }
    return this.landscapeData;
  },

  /** An LA's fill by council role: hatched when no source says (or no row). */
  roleFill(code) {
    const row = this.roles.las.get(code);
    return (row && ROLE_COLOURS[row.council_role]) || NONE_FILL;
  },

  /** Whether the LA's landscape lists the chosen form of collaboration. */
  hasForm(code) {
    const row = this.landscape.las.get(code);
    return Boolean(row && row.collaboration_forms.includes(this.state.form));
  },

  /** Hover text when colouring by role. */
  roleTooltip(props) {
    const row = this.roles.las.get(props.code);
    const label = row && row.council_role ? this.roles.labels[row.council_role] : 'not recorded';
    return `${props.name}: council’s school-improvement role ${label.toLowerCase()}`;
  },

  /** The popup lines of an LA's landscape: role, provider (linked) and forms, with the source's date. */
  rolePopupLines(props) {
    const row = this.landscape.las.get(props.code);
    if (!row) return [el('p', 'muted', 'School-improvement role not yet described.')];
    const role = row.council_role ? this.landscape.labels[row.council_role] : 'Not recorded';
    const lines = [el('p', null, el('strong', null, 'Council’s school-improvement role: '), role)];
    if (row.provider_name) {
      lines.push(el('p', null, 'Provider: ', row.provider_url ? link(row.provider_url, row.provider_name) : row.provider_name));
    }
    const forms = row.collaboration_forms.map((f) => this.landscape.forms[f] || f);
    if (forms.length) lines.push(el('p', 'muted', `How schools work together: ${forms.join('; ')}`));
    lines.push(el('p', 'muted', `Landscape source ${row.landscape_source_date ? `dated ${row.landscape_source_date}` : 'undated'}${row.landscape_confidence ? `, confidence ${row.landscape_confidence}` : ''}.`));
    return lines;
  },

  /** Whatever the colours, an LA's popup gives its council role and provider: fetched once. */
  async addRoleToPopup(popup) {
    if (this.landscape) return;
    try {
      this.landscape = await this.landscapeTable();
      if (!popup.isOpen()) return;
      // Redrawing the content drops focus from it: put focus back where a keyboard user had it.
      const element = popup.getElement();
      const hadFocus = element.contains(document.activeElement);
      popup.update();
      if (hadFocus) element.querySelector('.leaflet-popup-content a, .leaflet-popup-content button')?.focus();
      this.keepKeyClear(popup);
    } catch (err) {
      this.showProblem(`The councils’ school-improvement roles did not load: ${err.message}`);
    }
  },

  /** The legend of the role colours: a categorical key, unknown hatched. */
  roleLegend() {
    const counts = new Map();
    for (const row of this.roles.las.values()) counts.set(row.council_role, (counts.get(row.council_role) || 0) + 1);
    const n = (code) => ` (${counts.get(code) || 0})`;
    const label = (code) => LABELS.council_roles[code] || code;
    return [
      el('p', 'pm-legend__title', 'Council’s school-improvement role'),
      el('ul', 'pm-legend__items',
        ...Object.entries(ROLE_COLOURS).map(([code, colour]) => el('li', null, swatch(colour), `${label(code)}${n(code)}`)),
        el('li', null, el('span', 'pm-swatch pm-swatch--none', ''), `${label('unknown')} (hatched)${n('unknown')}`)),
      el('p', 'pm-legend__source', 'Source: the project’s local landscape register, one public page per council; dates vary.'),
      el('p', 'pm-legend__link', link('/areas', 'The table of all councils')),
    ];
  },

  /** The legend's note for the form-of-collaboration filter (empty when it is off). */
  formLegend() {
    if (!this.state.form || !this.landscape) return [];
    const label = this.landscape.forms[this.state.form] || this.state.form;
    const swatchEl = swatch(FORM_MASK_FILL);
    return [el('ul', 'pm-legend__items', el('li', null, swatchEl, `Pale: no “${label.toLowerCase()}” recorded`))];
  },

  /** The form-of-collaboration select above the map. */
  wireFormFilter() {
    const select = document.getElementById('map-form');
    if (!select) return;
    if (![...select.options].some((o) => o.value === this.state.form)) this.state.form = '';
    select.value = this.state.form;
    select.addEventListener('change', async () => {
      this.state.form = select.value;
      if (select.value && !this.state.layers.includes('la')) await this.setLayer('la', true);
      await this.loadColours();
      this.writeUrl();
    });
  },
};
