/**
 * The partnerships layer: one marker per placed partnership (a circle for local ones, a diamond for
 * national programmes), clustered; the list beside the map is drawn from the same GeoJSON.
 */

import { getJSON } from '../../lib/api.js';
import { escapeHtml } from '../../lib/dom.js';
import { apiFilters } from '../state.js';

const L = window.L;


/** Methods of the map for the partnership markers. */
export const partnershipMethods = {
  /** Fetch the partnerships after the filters; redraw markers and list. */
  async loadPartnerships() {
    const token = ++this.requests.partnerships;
    const query = apiFilters(this.state);
    query.set('include_ended', 'false');
    this.container.setAttribute('aria-busy', 'true');
    try {
      const data = await getJSON(`/api/v1/partnerships?${query}`);
      if (token !== this.requests.partnerships) return;
      this.features = data.features || [];
      this.drawMarkers();
      this.renderList();
    } catch (err) {
      if (token !== this.requests.partnerships) return;
      this.showProblem(`The partnerships did not load: ${err.message}`);
    } finally {
      if (token === this.requests.partnerships) this.container.removeAttribute('aria-busy');
    }
  },

  /** One marker per placed partnership: a circle for local ones, a diamond for national programmes. */
  drawMarkers() {
    this.cluster.clearLayers();
    this.markers.clear();
    const markers = [];
    for (const feature of this.features) {
      if (!feature.geometry) continue;
      const props = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const icon = L.divIcon({
        className: `pm-marker ${props.is_national ? 'pm-marker--national' : 'pm-marker--local'}`,
        iconSize: [18, 18],
      });
      const marker = L.marker([lat, lon], { icon, title: `${props.name} (${props.kind_label})`, riseOnHover: true });
      marker.pmSlug = props.slug;
      marker.pmProps = props;
      marker.on('keypress', (e) => {
        if (e.originalEvent && e.originalEvent.key === 'Enter') this.opener = marker.getElement();
      });
      marker.bindPopup(() => this.partnershipPopup(props), { maxWidth: 300 });
      marker.on('popupopen', () => {
        this.state.p = props.slug;
        this.markSelected(props.slug);
        this.writeUrl();
      });
      marker.on('popupclose', () => {
        if (this.state.p !== props.slug) return;
        this.state.p = '';
        this.markSelected('');
        this.writeUrl();
      });
      markers.push(marker);
      this.markers.set(props.slug, marker);
    }
    this.cluster.addLayers(markers);
  },

  /** A cluster's icon: its size in words for screen readers, a number for the eye. */
  clusterIcon(cluster) {
    const children = cluster.getAllChildMarkers();
    const national = children.filter((m) => m.pmProps.is_national).length;
    const kinds = new Map();
    children.forEach((m) => kinds.set(m.pmProps.kind_label, (kinds.get(m.pmProps.kind_label) || 0) + 1));
    const [topKind] = [...kinds.entries()].sort((a, b) => b[1] - a[1])[0];
    const n = children.length;
    const mostly = national * 2 > n ? 'pm-cluster--national' : 'pm-cluster--local';
    const size = n < 10 ? 34 : n < 50 ? 40 : 46;
    const html = `<span aria-hidden="true">${n}</span><span class="visually-hidden">${n} partnerships, mostly ${escapeHtml(topKind)}; press Enter to zoom in</span>`;
    return L.divIcon({ html, className: `pm-cluster ${mostly}`, iconSize: [size, size] });
  },

  /** Remember Enter on a cluster, so focus can follow the zoom (Leaflet.markercluster#273). */
  onClusterKey(e, group) {
    if (e.originalEvent && e.originalEvent.key === 'Enter') this.clusterFocus = { group, children: e.layer.getAllChildMarkers() };
  },

  /** After a keyboard zoom into one of a group's clusters, focus what it became. */
  refocusAfterCluster(group) {
    if (!this.clusterFocus || this.clusterFocus.group !== group) return;
    const { children } = this.clusterFocus;
    this.clusterFocus = null;
    const visible = group.getVisibleParent(children[0]);
    const target = visible && visible.getElement();
    if (target) target.focus();
  },
};
