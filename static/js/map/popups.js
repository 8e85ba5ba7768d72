/**
 * What the map says about a place: the LA tooltip and popup (counts, indicator, coverage, landscape),
 * combined authority, partnership, school and trust popups; focus moves into a popup opened from the
 * keyboard, Escape closes it and focus returns to what opened it.
 */

import { el, link, button } from '../lib/dom.js';
import { formatShare, formatValue, plural } from '../lib/format.js';

/** A school's popup: name linked to its page, phase, status. */
export function schoolPopup(props) {
  const detail = [props.phase, props.is_academy ? 'Academy' : null, props.status].filter(Boolean).join(' · ');
  const parts = [el('p', 'popup__title', link(`/schools/${props.urn}`, props.name)), el('p', null, detail)];
  if (props.trust_uid) parts.push(el('p', null, link(`/trusts/${props.trust_uid}`, 'Its trust')));
  return el('div', 'popup', ...parts);
}

/** "Multi-academy trust" as it reads inside a sentence. */
export function trustKind(props) {
  const kind = props.group_type || 'Academy trust';
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/** A trust's popup: name linked to its page, kind, head office town and number of schools. */
export function trustPopup(props) {
  const n = props.school_count || 0;
  return el('div', 'popup',
    el('p', 'popup__title', link(`/trusts/${props.uid}`, props.name)),
    el('p', null, el('span', 'tag', props.group_type || 'Academy trust')),
    props.town ? el('p', null, `Head office: ${props.town}`) : null,
    el('p', null, n ? `${plural(n, 'school')} in the trust` : 'No schools recorded in the trust'));
}

/** Methods of the map for tooltips and popups. */
export const popupMethods = {
  /** Hover text of an LA: name and what it is coloured by. */
  areaTooltip(props) {
    if (this.roles) return this.roleTooltip(props);
    if (this.coverage) {
      return `${props.name}: ${formatShare(this.coverageShare(props.code))} of schools ${this.coverage.measure.short}`;
    }
    if (this.indicator) {
      const { label, unit } = this.indicator.meta;
      return `${props.name}: ${label} ${formatValue(this.indicator.values[props.code], unit)}`;
    }
    const n = this.counts[props.code] || 0;
    return `${props.name}: ${n ? plural(n, 'partnership') : 'none recorded yet'}`;
  },

  /** The popup of a selected LA: counts and where to go next. */
  areaPopup(props, latlng) {
    const n = this.counts[props.code] || 0;
    const lines = [el('p', 'popup__title', el('strong', null, props.name), el('span', 'muted', ' local authority'))];
    if (this.landscape) lines.push(...this.rolePopupLines(props));
    if (this.indicator) {
      const { label, unit, period } = this.indicator.meta;
      lines.push(el('p', null, `${label}: ${formatValue(this.indicator.values[props.code], unit)}${period ? ` (${period})` : ''}`));
    }
    if (this.coverage) lines.push(...this.coveragePopupLines(props));
    lines.push(el('p', null, n ? `${plural(n, 'partnership')} with your filters.` : 'No partnerships with your filters recorded yet.'));
    lines.push(el('p', 'muted', `In all: ${plural(props.local_count || 0, 'local partnership')}, ${plural(props.national_count || 0, 'national programme')}.`));
    const actions = el('ul', 'popup__actions');
    actions.append(el('li', null, link(`/areas/${props.code}`, `${props.name} area profile`)));
    if (this.coverage) actions.append(el('li', null, link('/coverage', 'Coverage by combined authority and region')));
    if (this.list) {
      actions.append(el('li', null, this.state.area === props.code
        ? button('Show partnerships in all areas', () => this.setArea(''))
        : button(`Show partnerships serving ${props.name}`, () => this.setArea(props.code))));
    }
    actions.append(el('li', null, link(`/near?lat=${latlng.lat.toFixed(5)}&lon=${latlng.lng.toFixed(5)}`, 'What’s near here')));
    return el('div', 'popup', ...lines, actions);
  },

  /** The coverage lines of an LA's popup: its share, then its combined authority's and region's totals. */
  coveragePopupLines(props) {
    const { measure, las, cas, regions } = this.coverage;
    const row = las.get(props.code);
    const share = (r) => {
      const schools = r.schools || 0;
      if (!schools) return 'no schools recorded';
      const n = r[`${measure.field}_schools`] || 0;
      return `${formatShare(r[`${measure.field}_share`])} (${n.toLocaleString('en-GB')} of ${plural(schools, 'school')})`;
    };
    const items = [el('li', null, `${props.name}: ${row ? share(row) : 'no data'}`)];
    const ca = row && row.combined_authority_code ? cas.get(row.combined_authority_code) : null;
    if (ca) items.push(el('li', null, `${ca.name} ${ca.is_mayoral ? 'mayoral combined authority' : 'combined authority'}: ${share(ca)}`));
    else if (row) items.push(el('li', null, 'Not in a combined authority.'));
    const region = row && row.region_code ? regions.get(row.region_code) : null;
    if (region) items.push(el('li', null, `${region.name} region: ${share(region)}`));
    return [el('p', 'popup__subhead', `${measure.heading}:`), el('ul', 'popup__coverage', ...items)];
  },

  /** The popup of a combined authority. */
  caPopup(props) {
    return el('div', 'popup',
      el('p', 'popup__title', el('strong', null, props.name)),
      el('p', null, props.is_mayoral ? 'Mayoral combined authority' : 'Combined authority (no elected mayor)'),
      el('ul', 'popup__actions', el('li', null, link(`/areas/${props.code}`, `${props.name}: area profile`))));
  },

  /** A partnership's popup: name linked to its page, kind, areas and lead. */
  partnershipPopup(props) {
    const parts = [el('p', 'popup__title', link(props.url, props.name))];
    parts.push(el('p', null, el('span', `tag${props.is_national ? ' national' : ''}`, props.kind_label)));
    if (props.area_names && props.area_names.length) parts.push(el('p', null, `Serves: ${props.area_names.join(', ')}`));
    if (props.lead_organisation) parts.push(el('p', 'muted', `Led by ${props.lead_organisation}`));
    return el('div', 'popup', ...parts);
  },

  /** Note the open partnership or area in the URL and the list; focus the popup when asked. */
  onPopupOpen(e) {
    const element = e.popup.getElement();
    if (!element.dataset.escape) {
      element.dataset.escape = 'close';
      element.addEventListener('keydown', (k) => {
        if (k.key !== 'Escape') return;
        k.preventDefault();
        this.map.closePopup(e.popup);
      });
    }
    if (this.opener) {
      const first = element.querySelector('.leaflet-popup-content a, .leaflet-popup-content button');
      if (first) first.focus();
    }
    this.keepKeyClear(e.popup);
    this.map.once('moveend', () => this.keepKeyClear(e.popup));
  },

  /** Fold the key when it would cover an open popup; it unfolds when the popup closes. */
  keepKeyClear(popup) {
    const key = this.container.querySelector('.pm-legend');
    const element = popup.getElement();
    if (!key || !key.open || !element || !popup.isOpen()) return;
    const a = element.getBoundingClientRect();
    const b = key.getBoundingClientRect();
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
      key.open = false;
      this.keyFolded = true;
    }
  },

  /** Forget the area the popup stood for, and give focus back to what opened it. */
  onPopupClose(e) {
    if (this.keyFolded) {
      this.keyFolded = false;
      const key = this.container.querySelector('.pm-legend');
      if (key) key.open = true;
    }
    if (e.popup.pmArea && this.state.sel === e.popup.pmArea) {
      this.state.sel = '';
      this.restyle();
      this.writeUrl();
    }
    const opener = this.opener;
    this.opener = null;
    const active = document.activeElement;
    if (opener && opener.isConnected && (!active || active === document.body || e.popup.getElement().contains(active))) {
      opener.focus();
    }
  },

  /** Open a layer's popup without moving the map (restoring a permalink). */
  openQuietly(layer) {
    const popup = layer.getPopup();
    const autoPan = popup.options.autoPan;
    popup.options.autoPan = false;
    layer.openPopup();
    popup.options.autoPan = autoPan;
  },
};
