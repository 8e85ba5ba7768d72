/**
 * The map page's core: the Leaflet map, its panes and layers, the first view, layer switching and
 * restoring a permalink's selection. The other map/ modules add their methods to this class
 * (see main.js).
 */

import { wireAreaList } from '../arealist.js';
import { OfflineBasemap } from '../labels.js';
import { getJSON } from '../lib/api.js';
import { LAYER_NAMES, MAX_BOUNDS, readState } from './state.js';

const L = window.L;

const ENGLAND = [[49.95, -5.75], [55.8, 1.8]];
const DATA_ATTRIBUTION =
  'Boundaries: ONS, contains OS data © Crown copyright; schools: DfE (OGL v3) · <a href="/about">Sources</a>';

/** Everything on the map page: map, layers, legend, list, filters and URL. */
export class PartnershipMap {
  /** @param {HTMLElement} container the #map element */
  constructor(container) {
    this.container = container;
    this.embed = container.dataset.embed === '1';
    this.state = readState(window.location.search);
    this.form = document.getElementById('filters');
    this.list = document.getElementById('partnership-list');
    this.status = document.getElementById('list-status');
    this.areaNames = new Map();
    this.areaCache = new Map();
    this.counts = {};
    this.indicator = null;
    this.coverage = null;
    this.coverageData = null;
    this.features = [];
    this.markers = new Map();
    this.areaLayers = new Map();
    this.band = null;
    this.requests = { partnerships: 0, colours: 0, areas: 0 };
    this.schoolTiles = null;
    this.opener = null;
    this.announce = false;
    // The server checked the URL's filters and ticked the form with those it accepted.
    if (this.form) this.readForm();
    this.readInitialAreaName();
    if (this.embed) this.openLinksOutside();
  }

  /** In an embedded map, links open the full site in a new tab rather than inside the frame. */
  openLinksOutside() {
    document.addEventListener('click', (e) => {
      const a = /** @type {HTMLElement} */ (e.target).closest('a[href]');
      if (a && !a.target && !a.getAttribute('href').startsWith('#')) {
        a.target = '_blank';
        a.rel = 'noopener';
      }
    });
  }

  /** Build the map and load every layer the URL asks for. */
  async start() {
    this.makeMap();
    this.makePatterns();
    this.makeLayers();
    this.makeLegend();
    this.wireToolbar();
    this.wireFilters();
    this.wireList();
    this.wireTrustList();
    this.wireSearch();
    this.renderAreaList = this.embed ? () => {} : wireAreaList(this);
    this.setInitialView();
    if (this.basemap) this.basemap.addTo();
    this.applyLayerVisibility();
    this.map.on('moveend', () => this.onMoveEnd());
    this.map.on('zoomend', () => this.updateLegend());
    await Promise.all([
      this.loadAreaLayers(), this.loadColours(), this.loadPartnerships(), this.loadTrusts(), this.loadSchools(),
    ]);
    await this.restoreSelection();
    this.announce = true;
    this.writeUrl();
    this.container.dataset.ready = 'true';
  }

  /** The Leaflet map, with the basemap if one is configured and the data sources credited. */
  makeMap() {
    this.map = L.map(this.container, {
      minZoom: 5,
      maxZoom: 18,
      maxBounds: MAX_BOUNDS,
      zoomSnap: 0.5,
      zoomDelta: 1,
      scrollWheelZoom: !this.embed,
    });
    this.map.createPane('pmCa').style.zIndex = '420';
    this.map.createPane('pmLabels').style.zIndex = '450';
    // Trusts sit just under the partnership markers, and after them in the tab order.
    this.map.createPane('pmTrusts').style.zIndex = '590';
    this.map.getPane('pmLabels').style.pointerEvents = 'none';
    const tileUrl = this.container.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: this.container.dataset.tileAttribution || '', maxZoom: 18 }).addTo(this.map);
    } else {
      this.container.classList.add('no-basemap');
      this.basemap = new OfflineBasemap(this.map, {
        schoolPoints: () => this.schoolPoints(),
        schoolFeatures: () => this.schoolFeatures(),
      });
    }
    this.map.attributionControl.addAttribution(DATA_ATTRIBUTION);
  }

  /** SVG patterns for "none recorded yet" and "no data", so those areas differ by more than colour. */
  makePatterns() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.classList.add('pm-patterns');
    svg.innerHTML = `<defs>
      <pattern id="pm-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#8b8f92" stroke-width="2"/>
      </pattern>
      <pattern id="pm-dots" width="7" height="7" patternUnits="userSpaceOnUse">
        <rect width="7" height="7" fill="#e8e8e8"/><circle cx="3.5" cy="3.5" r="1.3" fill="#6f777b"/>
      </pattern></defs>`;
    document.body.append(svg);
  }

  /** Empty layers; data arrives in load*(). */
  makeLayers() {
    this.laLayer = L.geoJSON(null, {
      style: (f) => this.areaStyle(f),
      onEachFeature: (f, layer) => this.bindArea(f, layer),
      bubblingMouseEvents: false,
    });
    // The LAs are drawn from the national GeoJSON layer or, closer in, from tiles (one at a time).
    this.laGroup = L.layerGroup([this.laLayer]);
    this.caLayer = L.geoJSON(null, {
      pane: 'pmCa',
      style: (f) => this.caStyle(f),
      onEachFeature: (f, layer) => this.bindCombinedAuthority(f, layer),
      bubblingMouseEvents: false,
    });
    this.labelLayer = L.layerGroup();
    this.cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: (c) => this.clusterIcon(c),
    });
    this.cluster.on('clusterkeypress', (e) => this.onClusterKey(e, this.cluster));
    this.cluster.on('animationend spiderfied', () => this.refocusAfterCluster(this.cluster));
    this.schoolLayer = L.layerGroup();
    this.schoolLayer.on('add', () => this.loadSchools());
    this.trustLayer = L.layerGroup();
    this.trustLayer.on('add', () => this.loadTrusts());
    this.pinLayer = L.layerGroup().addTo(this.map);
    this.layers = {
      la: this.laGroup,
      ca: this.caLayer,
      partnerships: this.cluster,
      schools: this.schoolLayer,
      trusts: this.trustLayer,
    };
    this.map.on('click', (e) => this.onMapClick(e));
    this.map.on('popupopen', (e) => this.onPopupOpen(e));
    this.map.on('popupclose', (e) => this.onPopupClose(e));
  }

  /** Centre on the URL's view, else fit England (areas named in the URL are framed once loaded). */
  setInitialView() {
    const { lat, lon, z } = this.state;
    if (lat !== null && lon !== null && z !== null) {
      this.map.setView([lat, lon], Math.min(18, Math.max(5, Math.round(z * 2) / 2)));
      this.explicitView = true;
    } else {
      this.map.fitBounds(ENGLAND, { padding: [8, 8] });
      this.explicitView = false;
    }
  }

  /** Show the layers the state names, hide the others. */
  applyLayerVisibility() {
    for (const [name, layer] of Object.entries(this.layers)) {
      const on = this.state.layers.includes(name);
      if (on && !this.map.hasLayer(layer)) this.map.addLayer(layer);
      if (!on && this.map.hasLayer(layer)) this.map.removeLayer(layer);
    }
    const labelsOn = this.state.layers.includes('la');
    if (labelsOn && !this.map.hasLayer(this.labelLayer)) this.map.addLayer(this.labelLayer);
    if (!labelsOn) this.map.removeLayer(this.labelLayer);
    document.querySelectorAll('#map-layers input[name="layer"]').forEach((box) => {
      box.checked = this.state.layers.includes(box.value);
    });
  }

  /** Turn one layer on or off. */
  async setLayer(name, on) {
    const layers = new Set(this.state.layers);
    if (on) layers.add(name);
    else layers.delete(name);
    this.state.layers = LAYER_NAMES.filter((l) => layers.has(l));
    this.applyLayerVisibility();
    if (name === 'ca' && on) await this.ensureCombinedAuthorities();
    if (name === 'schools') await this.loadSchools();
    if (name === 'trusts') await this.loadTrusts();
    if (name === 'la') this.updateLabels();
    this.updateLegend();
    this.renderAreaList();
    this.renderTrustList();
    this.writeUrl();
  }

  /** After a pan or zoom: the URL, boundaries for the new band, schools, labels, list in view. */
  onMoveEnd() {
    this.writeUrl();
    this.loadAreaLayers().then(() => {
      if (this.state.layers.includes('ca')) this.ensureCombinedAuthorities();
    });
    this.loadSchools();
    this.updateLabels();
    if (this.state.inview) this.renderList();
  }

  /** Frame an area: the LA layer's polygon, or the boundary endpoint for other levels. */
  async fitArea(code, extra) {
    let bounds = null;
    const layer = this.areaLayers.get(code);
    if (layer) {
      bounds = layer.getBounds();
    } else {
      try {
        const feature = await getJSON(`/api/v1/areas/${encodeURIComponent(code)}/boundary?zoom=8`);
        if (feature && feature.properties) this.areaNames.set(code, feature.properties.name);
        bounds = L.geoJSON(feature).getBounds();
      } catch {
        return;
      }
    }
    if (extra) bounds.extend(extra);
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
  }

  /** Reopen what the permalink had open: area, postcode pin, partnership. */
  async restoreSelection() {
    const { sel, p, pc, area } = this.state;
    if (pc) await this.showPlace(pc, { fit: !this.explicitView, quiet: true });
    if (!this.explicitView && !pc && (sel || area)) await this.fitArea(sel || area);
    if (area && !sel && !pc) {
      // "Show on the map" from an area page: outline the area the list is narrowed to.
      this.state.sel = area;
      this.restyle();
    }
    if (sel && !pc && this.areaLayers.has(sel)) this.selectArea(sel, null, { quiet: true });
    if (p && this.markers.has(p)) {
      const marker = this.markers.get(p);
      this.markSelected(p);
      if (!this.explicitView && !sel) {
        this.cluster.zoomToShowLayer(marker, () => marker.openPopup());
      } else if (this.cluster.getVisibleParent(marker) === marker) {
        this.openQuietly(marker);
      }
    }
  }

  /** Tell the user (through the live region) that part of the map failed. */
  showProblem(message) {
    if (this.status) this.status.textContent = message;
    const note = document.getElementById('map-problem');
    if (note) {
      note.hidden = false;
      note.textContent = message;
    }
  }

  /** The area's name from the server-rendered heading, before the boundaries arrive. */
  readInitialAreaName() {
    const a = document.querySelector('#list-area a');
    if (a && this.state.area) this.areaNames.set(this.state.area, a.textContent.trim());
  }
}
