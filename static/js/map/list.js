/**
 * The list beside the map (#partnership-list): the same partnerships as the markers, optionally only
 * those in view, with "Show on map" buttons, a heading, an empty state with what to try, and a live
 * status line.
 */

import { el, link, button } from '../lib/dom.js';
import { plural } from '../lib/format.js';
import { LABELS, currencyLabel } from './labels.js';

const L = window.L;


/** Methods of the map for the list beside it. */
export const listMethods = {
  /** The "in the map view" box and the list's "Show on map" buttons. */
  wireList() {
    const inview = document.getElementById('list-inview');
    if (inview) {
      inview.closest('[hidden]')?.removeAttribute('hidden');
      inview.checked = this.state.inview;
      inview.addEventListener('change', () => {
        this.state.inview = inview.checked;
        this.writeUrl();
        this.renderList();
      });
    }
    if (!this.list) return;
    this.list.addEventListener('click', (e) => {
      const target = /** @type {HTMLElement} */ (e.target).closest('button[data-show]');
      if (target) this.showOnMap(target.dataset.show, target);
    });
  },

  /** The features the list shows: all of them, or those in the map view. */
  listedFeatures() {
    if (!this.state.inview) return this.features;
    const view = this.map.getBounds();
    return this.features.filter((f) => f.geometry && view.contains(L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])));
  },

  /** Redraw the list, its heading, the empty state and the status line. */
  renderList() {
    if (!this.list) return;
    const items = this.listedFeatures();
    this.list.replaceChildren(...items.map((f) => this.listItem(f.properties, Boolean(f.geometry))));
    this.list.hidden = items.length === 0;
    this.renderEmptyState(items.length === 0);
    this.renderHeading(items.length);
    if (this.state.p) this.markSelected(this.state.p);
    if (this.announce) this.status.textContent = this.statusText(items.length);
  },

  /** One list entry, as templates/partials/partnership_item.html draws it, plus "Show on map". */
  listItem(props, placed) {
    const li = el('li', 'partnership-item');
    li.dataset.slug = props.slug;
    li.append(el('h3', null, link(props.url || `/partnerships/${props.slug}`, props.name)));
    const meta = el('p', 'muted', el('span', `tag${props.is_national ? ' national' : ''}`, props.kind_label));
    if (LABELS.currency.labels[props.currency]) {
      const tag = el('span', `tag${props.currency === 'current' ? '' : ' status-ended'}`, currencyLabel(props.currency, props.evidence_year));
      tag.title = LABELS.currency.titles[props.currency] || '';
      meta.append(' ', tag);
    }
    if (props.area_whole === false && props.area_reach) meta.append(' ', `may serve part of ${props.area_reach}`);
    else if (props.area_names && props.area_names.length) meta.append(' ', props.area_names.join(', '));
    li.append(meta);
    if (placed) {
      const show = el('button', 'link-button show-on-map', 'Show on map', el('span', 'visually-hidden', `: ${props.name}`));
      show.type = 'button';
      show.dataset.show = props.slug;
      li.append(show);
    }
    return li;
  },

  /** "N partnerships serving X in the map view". */
  renderHeading(n) {
    const count = document.getElementById('list-count');
    if (count) count.textContent = n.toLocaleString('en-GB');
    const noun = document.getElementById('list-noun');
    if (noun) noun.textContent = n === 1 ? 'partnership' : 'partnerships';
    const where = document.getElementById('list-area');
    if (!where) return;
    const parts = [];
    if (this.state.area) {
      const name = this.areaNames.get(this.state.area) || this.state.area;
      parts.push(' serving ', link(`/areas/${this.state.area}`, name));
    }
    if (this.state.inview) parts.push(' in the map view');
    where.replaceChildren(...parts);
    const tools = document.getElementById('list-area-tools');
    if (tools) {
      tools.hidden = !this.state.area;
      tools.replaceChildren(...(this.state.area ? [button('Show partnerships in all areas', () => this.setArea(''))] : []));
    }
  },

  /** What to try when nothing matches, from the filters in use. */
  renderEmptyState(empty) {
    const box = document.getElementById('list-empty');
    if (!box) return;
    box.hidden = !empty;
    if (!empty) return;
    const tips = el('ul', 'empty-state__tips');
    if (this.state.inview) tips.append(el('li', null, button('List partnerships outside the map view too', () => this.setInView(false))));
    if (this.state.q) tips.append(el('li', null, button(`Clear the name search “${this.state.q}”`, () => this.clearName())));
    if (this.state.theme.length || this.state.kind.length || this.state.trust) {
      tips.append(el('li', null, button('Clear the theme, kind and trust filters', () => this.clearFilters())));
    }
    if (!this.state.national) tips.append(el('li', null, button('Show national programmes too', () => this.showNational())));
    if (this.state.area) tips.append(el('li', null, button('Show partnerships in all areas', () => this.setArea(''))));
    tips.append(el('li', null, 'Search for a postcode, school or local authority in the search box above.'));
    const suggest = link(`/suggest${this.state.area ? `?area=${this.state.area}` : ''}`, 'Add a partnership');
    box.replaceChildren(
      el('p', null, el('strong', null, 'No partnerships match these filters.')),
      el('p', null, 'Try:'),
      tips,
      el('p', null, 'Know one we are missing? ', suggest, '.'),
    );
  },

  /** The sentence the live region reads after a change. */
  statusText(n) {
    const where = this.state.area ? ` serving ${this.areaNames.get(this.state.area) || this.state.area}` : '';
    const view = this.state.inview ? ' in the map view' : '';
    const scope = this.state.national ? 'National programmes are included.' : 'Local partnerships; national programmes are hidden.';
    return n ? `${plural(n, 'partnership')}${where}${view}. ${scope}` : `No partnerships match${where}${view}. ${scope}`;
  },

  /** Switch "only in the map view" on or off. */
  setInView(on) {
    this.state.inview = on;
    const box = document.getElementById('list-inview');
    if (box) box.checked = on;
    this.writeUrl();
    this.renderList();
  },

  /** Highlight a partnership's list entry ('' for none). */
  markSelected(slug) {
    if (!this.list) return;
    this.list.querySelectorAll('.partnership-item.is-selected').forEach((li) => {
      li.classList.remove('is-selected');
      li.removeAttribute('aria-current');
    });
    if (!slug) return;
    const li = this.list.querySelector(`.partnership-item[data-slug="${CSS.escape(slug)}"]`);
    if (li) {
      li.classList.add('is-selected');
      li.setAttribute('aria-current', 'true');
      li.scrollIntoView({ block: 'nearest' });
    }
  },

  /** From the list: zoom to a partnership's marker, open it and move focus into its popup. */
  async showOnMap(slug, trigger) {
    const marker = this.markers.get(slug);
    if (!marker) return;
    if (!this.state.layers.includes('partnerships')) await this.setLayer('partnerships', true);
    this.map.closePopup();
    this.opener = trigger;
    this.cluster.zoomToShowLayer(marker, () => marker.openPopup());
  },
};
