/**
 * The boundary layers: local authorities (filled by map/colours.js, outlined when selected, with
 * counts written on them at close zoom) and combined authorities (mayoral ones solid). The LAs'
 * national GeoJSON (the coarsest band) is fetched once: it is drawn below zoom 8, where the tiles
 * of map/layers/areatiles.js take over, and always gives the names, counts and bounds. The combined
 * authorities' GeoJSON is fetched once per zoom band.
 */

import { getJSON } from '../../lib/api.js';
import { el, link } from '../../lib/dom.js';
import { formatShare, formatValue } from '../../lib/format.js';

const L = window.L;

const LABEL_MIN_ZOOM = 10;
/** The band of the national LA layer: the only LA GeoJSON the map asks for. */
const NATIONAL_BAND = 6;

/** The generalisation band the server keeps for a zoom (≤6, 7–8, 9–10, 11+). */
function bandFor(zoom) {
  if (zoom <= 6) return 6;
  if (zoom <= 8) return 8;
  if (zoom <= 10) return 10;
  return 11;
}

/** Methods of the map for its boundary layers. */
export const areaMethods = {
  /** A level's boundaries for a band, fetched once per page. */
  areaData(level, band) {
    const key = `${level}:${band}`;
    if (!this.areaCache.has(key)) {
      const promise = getJSON(`/api/v1/areas?level=${level}&zoom=${band}`);
      promise.catch(() => this.areaCache.delete(key));
      this.areaCache.set(key, promise);
    }
    return this.areaCache.get(key);
  },

  /** Load the national LA layer once, draw the LAs for this zoom, and (re)load the CAs for its band. */
  async loadAreaLayers() {
    const drawn = this.showAreaDrawing();
    const band = bandFor(this.map.getZoom());
    if (band === this.band) return drawn;
    this.band = band;
    const token = ++this.requests.areas;
    try {
      const [las, cas] = await Promise.all([
        this.laLoaded ? null : this.areaData('local_authority', NATIONAL_BAND),
        this.state.layers.includes('ca') ? this.areaData('combined_authority', band) : null,
      ]);
      if (token !== this.requests.areas) return drawn;
      if (las) {
        this.setAreaData(this.laLayer, las);
        this.laLoaded = true;
      }
      if (cas) {
        this.setAreaData(this.caLayer, cas);
        this.caBand = band;
      }
      this.updateLabels();
      this.renderAreaList();
    } catch (err) {
      this.band = null;
      this.showProblem(`The boundaries did not load: ${err.message}`);
    }
    return drawn;
  },

  /** The CA boundaries, when the layer is switched on after the page loaded. */
  async ensureCombinedAuthorities() {
    if (this.caBand === this.band) return;
    const band = this.band ?? bandFor(this.map.getZoom());
    const data = await this.areaData('combined_authority', band);
    this.setAreaData(this.caLayer, data);
    this.caBand = band;
  },

  /** Replace a layer's features, remembering names and layers by code. */
  setAreaData(layer, data) {
    layer.clearLayers();
    layer.addData(data);
  },

  /** Names and click/hover behaviour for one LA. */
  bindArea(feature, layer) {
    const { code, name } = feature.properties;
    this.areaNames.set(code, name);
    this.areaLayers.set(code, layer);
    layer.bindTooltip(() => this.areaTooltip(feature.properties), { sticky: true, direction: 'top' });
    layer.on('click', (e) => this.selectArea(code, e.latlng));
    layer.on('add', () => {
      const path = layer.getElement();
      if (!path) return;
      path.dataset.code = code;
      // Chromium puts SVG shapes with focus listeners (the tooltip's) in the tab order: keep the
      // 150-odd areas out of it; the list and the search box are the keyboard route to them.
      path.setAttribute('tabindex', '-1');
    });
  },

  /** Names, tooltip and popup for one combined authority. */
  bindCombinedAuthority(feature, layer) {
    const { code, name, is_mayoral: mayoral } = feature.properties;
    this.areaNames.set(code, name);
    layer.bindTooltip(`${name}${mayoral ? ' (mayoral combined authority)' : ' (combined authority)'}`, { sticky: true });
    layer.bindPopup(() => this.caPopup(feature.properties));
    layer.on('add', () => {
      const path = layer.getElement();
      if (path) {
        path.dataset.code = code;
        path.setAttribute('tabindex', '-1');
        path.classList.toggle('pm-ca--mayoral', Boolean(mayoral));
      }
    });
  },

  /** Style of one LA polygon. */
  areaStyle(feature) {
    const code = feature.properties.code;
    const selected = code === this.state.sel;
    return {
      className: 'pm-la',
      color: selected ? '#0b0c0c' : '#505a5f',
      weight: selected ? 4 : 0.8,
      fillColor: this.fillFor(code),
      fillOpacity: 0.85,
    };
  },

  /** Style of one combined authority outline: solid and thicker when mayoral. */
  caStyle(feature) {
    const mayoral = feature.properties.is_mayoral;
    return {
      className: 'pm-ca',
      color: '#6a1b7a',
      weight: mayoral ? 3.5 : 2.5,
      dashArray: mayoral ? null : '8 6',
      fill: false,
    };
  },

  /** Restyle every LA and its label after counts, indicator or selection change. */
  restyle() {
    this.laLayer.setStyle((f) => this.areaStyle(f));
    this.restyleAreaTiles();
    const selected = this.areaLayers.get(this.state.sel);
    if (selected && this.map.hasLayer(this.laLayer)) selected.bringToFront();
    this.updateLabels();
    this.updateLegend();
    if (this.renderAreaList) this.renderAreaList();
  },

  /** Counts (or indicator values) written on the LAs in view at close zoom. */
  updateLabels() {
    this.labelLayer.clearLayers();
    if (!this.state.layers.includes('la') || this.map.getZoom() < LABEL_MIN_ZOOM || this.roles) return;
    const view = this.map.getBounds();
    this.laLayer.eachLayer((layer) => {
      const bounds = layer.getBounds();
      if (!view.intersects(bounds)) return;
      const { code } = layer.feature.properties;
      let text = String(this.counts[code] || 0);
      if (this.coverage) text = formatShare(this.coverageShare(code));
      else if (this.indicator) text = formatValue(this.indicator.values[code], this.indicator.meta.unit === '%' ? '%' : '');
      const icon = L.divIcon({ className: 'pm-area-label', html: `<span aria-hidden="true">${text}</span>`, iconSize: null });
      L.marker(bounds.getCenter(), { icon, interactive: false, keyboard: false, pane: 'pmLabels' }).addTo(this.labelLayer);
    });
  },

  /** Select an LA: outline it and open its popup at the point clicked (or its middle). */
  selectArea(code, latlng, { quiet = false } = {}) {
    const layer = this.areaLayers.get(code);
    this.map.closePopup();
    this.state.sel = code;
    this.restyle();
    this.writeUrl();
    if (!layer) return;
    const at = latlng || layer.getBounds().getCenter();
    const popup = L.popup({ autoPan: !quiet, maxWidth: 280 })
      .setLatLng(at)
      .setContent(() => this.areaPopup(layer.feature.properties, at));
    popup.pmArea = code;
    this.areaPopupRef = popup;
    popup.openOn(this.map);
    this.addRoleToPopup(popup);
  },

  /** A click on the map outside the areas: offer what is near the point. */
  onMapClick(e) {
    const { lat, lng } = e.latlng;
    L.popup({ maxWidth: 240 })
      .setLatLng(e.latlng)
      .setContent(el('div', 'popup',
        el('p', null, 'No local authority here on the map.'),
        el('ul', 'popup__actions', el('li', null, link(`/near?lat=${lat.toFixed(5)}&lon=${lng.toFixed(5)}`, 'What’s near here')))))
      .openOn(this.map);
  },
};
