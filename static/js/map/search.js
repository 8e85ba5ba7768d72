/**
 * The site search on the map page: a postcode chosen in the search box is pinned on this map, its
 * LA selected and the list narrowed to the partnerships serving it, instead of leaving the page.
 */

import { getJSON } from '../lib/api.js';
import { el, link, button } from '../lib/dom.js';

const L = window.L;


/** Methods of the map for postcode search. */
export const searchMethods = {
  /** Handle the search box's postcode results here instead of leaving the page. */
  wireSearch() {
    if (this.embed) return;
    document.addEventListener('suggest:navigate', (e) => {
      const match = /^\/near\?postcode=([^&]+)$/.exec(e.detail.url);
      if (!match) return;
      e.preventDefault();
      const postcode = decodeURIComponent(match[1].replace(/\+/g, ' '));
      this.showPlace(postcode, { fit: true }).catch(() => window.location.assign(e.detail.url));
    });
  },

  /** Pin a postcode (or postcode district), select its LA and list the partnerships serving it. */
  async showPlace(postcode, { fit = true, quiet = false } = {}) {
    const data = await getJSON(`/api/v1/near?postcode=${encodeURIComponent(postcode)}`);
    const { place, areas } = data;
    const la = areas && areas.local_authority;
    this.state.pc = postcode.toUpperCase();
    const latlng = L.latLng(place.lat, place.lon);
    this.pinLayer.clearLayers();
    const nearUrl = `/near?postcode=${encodeURIComponent(this.state.pc)}`;
    const pin = L.marker(latlng, {
      icon: L.divIcon({ className: 'pm-pin', iconSize: [22, 22] }),
      title: `Searched: ${place.label}`,
      zIndexOffset: 1000,
    }).bindPopup(el('div', 'popup',
      el('p', 'popup__title', el('strong', null, place.label)),
      el('ul', 'popup__actions', el('li', null, link(nearUrl, `Everything near ${this.state.pc}`)))));
    pin.addTo(this.pinLayer);
    this.renderPlaceNote(place, la, nearUrl);
    if (la) {
      this.areaNames.set(la.code, la.name);
      this.state.sel = la.code;
      this.state.area = la.code;
      this.setAreaInput(la.code);
      this.restyle();
    }
    if (fit) {
      if (la) await this.fitArea(la.code, latlng);
      else this.map.setView(latlng, 12);
    }
    this.writeUrl();
    await this.loadPartnerships();
    if (!quiet && this.status) {
      const where = la ? ` ${place.label} is in ${la.name}.` : '';
      this.status.textContent = `${where} ${this.statusText(this.listedFeatures().length)}`.trim();
    }
  },

  /** The line above the list that says where the searched postcode is. */
  renderPlaceNote(place, la, nearUrl) {
    const note = document.getElementById('list-place');
    if (!note) return;
    note.hidden = false;
    note.replaceChildren(
      el('strong', null, place.label),
      la ? ` is in ${la.name}. ` : '. ',
      link(nearUrl, `Partnerships and schools near ${this.state.pc}, with distances`),
      ' · ',
      button('Remove the pin', () => this.clearPlace()),
    );
  },

  /** Remove the postcode pin and the area it chose. */
  async clearPlace() {
    this.pinLayer.clearLayers();
    this.state.pc = '';
    this.state.sel = '';
    const note = document.getElementById('list-place');
    if (note) note.hidden = true;
    this.restyle();
    await this.setArea('');
    document.getElementById('list-heading')?.focus();
  },
};
