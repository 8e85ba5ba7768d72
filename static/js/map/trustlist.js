/**
 * "Academy trusts on this map": the trusts drawn in view as a list of buttons, the keyboard and
 * screen-reader route to the trusts' squares (which are drawn on canvas). Choosing one opens its
 * popup and moves focus into it; Escape closes it and focus returns to the button. Past
 * LIST_LIMIT trusts the list keeps the largest and says how many more zooming in would show.
 */

import { plural } from '../lib/format.js';
import { TRUSTS_CAPPED_NOTE, trustTitle } from './layers/trusts.js';

const LIST_LIMIT = 150;

/** Methods of the map for the list of trusts under it. */
export const trustListMethods = {
  /** Wire the list (if the page has one): redraw it when opened and after each move. */
  wireTrustList() {
    const box = document.getElementById('map-trusts');
    if (!box || this.embed) return;
    this.trustList = box;
    box.addEventListener('toggle', () => this.renderTrustList());
    this.map.on('moveend', () => this.renderTrustList());
  },

  /** Redraw the list of trusts in view (only its count while folded). */
  renderTrustList() {
    const box = this.trustList;
    if (!box) return;
    const on = this.state.layers.includes('trusts');
    box.hidden = !on;
    if (!on) return;
    const trusts = this.trustFeatures();
    document.getElementById('map-trusts-count').textContent = trusts.length.toLocaleString('en-GB');
    const note = document.getElementById('map-trusts-note');
    const shown = trusts.length > LIST_LIMIT
      ? [...trusts].sort((a, b) => (b.school_count || 0) - (a.school_count || 0)).slice(0, LIST_LIMIT)
      : trusts;
    const notes = [];
    if (shown.length < trusts.length) {
      notes.push(`The ${LIST_LIMIT} with most schools of ${plural(trusts.length, 'trust')} in view; zoom in to list the rest.`);
    }
    if (this.trustsCapped()) notes.push(TRUSTS_CAPPED_NOTE);
    note.hidden = notes.length === 0;
    note.textContent = notes.join(' ');
    if (!box.open) return;
    const list = document.getElementById('map-trusts-list');
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.uid : null;
    const opener = this.opener && list.contains(this.opener) ? this.opener.dataset.uid : null;
    shown.sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    list.replaceChildren(...shown.map((props) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link-button';
      b.dataset.uid = props.uid;
      b.textContent = trustTitle(props);
      b.addEventListener('click', () => {
        this.opener = b;
        this.openTrust(props);
      });
      li.append(b);
      return li;
    }));
    if (focused) list.querySelector(`button[data-uid="${CSS.escape(focused)}"]`)?.focus();
    if (opener) this.opener = list.querySelector(`button[data-uid="${CSS.escape(opener)}"]`) || this.opener;
  },
};
