/**
 * The academy trusts layer: each open trust's head office as a square marker, clustered, reachable
 * with Tab and opened with Enter like the partnerships.
 */

import { getJSON } from '../../lib/api.js';
import { plural } from '../../lib/format.js';
import { trustKind, trustPopup } from '../popups.js';
import { MAX_BOUNDS } from '../state.js';

const L = window.L;

/** A trust marker's name for the keyboard and the hover tooltip: name, kind and size. */
export function trustTitle(props) {
  return `${props.name} (${trustKind(props)}, ${plural(props.school_count || 0, 'school')})`;
}

/** A group of trusts: a square with the count, its size in words for screen readers. */
export function trustClusterIcon(cluster) {
  const n = cluster.getChildCount();
  const size = n < 10 ? 26 : n < 100 ? 30 : 36;
  const html = `<span aria-hidden="true">${n}</span><span class="visually-hidden">${plural(n, 'academy trust')}; press Enter to zoom in</span>`;
  return L.divIcon({ html, className: 'pm-trust-cluster', iconSize: [size, size] });
}

/** Methods of the map for the trusts layer. */
export const trustMethods = {
  /** Every open trust's head office (about 2,200 points), fetched once per page for the whole map. */
  trustPoints() {
    if (!this.trustData) {
      const [[s, w], [n, e]] = MAX_BOUNDS;
      this.trustData = getJSON(`/api/v1/trusts?bbox=${w},${s},${e},${n}`);
      this.trustData.catch(() => { this.trustData = null; });
    }
    return this.trustData;
  },

  /** The trusts layer's markers, the first time the layer is on; clustering keeps them in view. */
  async loadTrusts() {
    if (!this.state.layers.includes('trusts') || this.trustsDrawn) return;
    try {
      const data = await this.trustPoints();
      if (this.trustsDrawn) return;
      this.trustsDrawn = true;
      this.drawTrusts(data.features || []);
    } catch (err) {
      this.showProblem(`The academy trusts did not load: ${err.message}`);
    }
  },

  /** One square marker per trust, reachable with Tab and opened with Enter like the partnerships. */
  drawTrusts(features) {
    const markers = [];
    for (const feature of features) {
      if (!feature.geometry) continue;
      const props = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const icon = L.divIcon({ className: 'pm-trust', iconSize: [16, 16] });
      const marker = L.marker([lat, lon], { icon, pane: 'pmTrusts', title: trustTitle(props), riseOnHover: true });
      marker.pmTrust = props;
      marker.on('keypress', (e) => {
        if (e.originalEvent && e.originalEvent.key === 'Enter') this.opener = marker.getElement();
      });
      marker.bindPopup(() => trustPopup(props), { maxWidth: 300 });
      markers.push(marker);
    }
    this.trustCluster.clearLayers();
    this.trustCluster.addLayers(markers);
  },
};
