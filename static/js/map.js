/**
 * The home-page map and the embeddable map (/embed), on top of the server-rendered page.
 *
 * Layers: local authorities coloured by partnership count (or by an indicator, or by coverage), combined
 * authorities (mayoral ones marked), partnerships as clustered markers, schools at close zoom,
 * academy trusts' head offices as clustered square markers (off unless asked for).
 * The list (#partnership-list) is drawn from the same GeoJSON as the markers, the filters form
 * (#filters) applies without a reload, and the URL keeps the whole view (history.replaceState)
 * with the parameter names the server understands (theme, kind, national, trust, q, area) plus the
 * map's own: lat, lon, z, layers, colour, sel (selected area), p (open partnership), pc (postcode
 * pin), inview (list only what the map shows).
 */

import { wireAreaList } from './arealist.js';
import { OfflineBasemap } from './labels.js';

const L = window.L;

const ENGLAND = [[49.95, -5.75], [55.8, 1.8]];
const MAX_BOUNDS = [[46, -20], [60, 14]];
const LAYER_NAMES = ['la', 'ca', 'partnerships', 'schools', 'trusts'];
const DEFAULT_LAYERS = ['la', 'partnerships'];
const SCHOOL_MIN_ZOOM = 11;
const LABEL_MIN_ZOOM = 10;
const TYPING_DELAY_MS = 350;
const NONE_FILL = 'url(#pm-hatch)';
const NO_DATA_FILL = 'url(#pm-dots)';
/** The `colour` value for the council's school-improvement role, from the landscape register. */
const ROLE_COLOUR = 'council_role';
/** Role classes (Okabe-Ito colours, told apart with colour blindness); 'unknown' is hatched. */
const ROLE_CLASSES = [
  { code: 'in_house_team', label: 'In-house team', colour: '#0072b2' },
  { code: 'traded_company', label: 'Traded company', colour: '#e69f00' },
  { code: 'commissioned_partnership', label: 'Commissioned partnership', colour: '#009e73' },
  { code: 'little_or_none', label: 'Little or none', colour: '#cc79a7' },
];
/** The fill of an LA the form-of-collaboration filter leaves out. */
const FORM_MASK_FILL = '#f3f2f1';
const COUNT_CLASSES = [
  { min: 1, max: 1, label: '1', colour: '#c7e9b4' },
  { min: 2, max: 2, label: '2', colour: '#7fcdbb' },
  { min: 3, max: 4, label: '3 to 4', colour: '#41b6c4' },
  { min: 5, max: 9, label: '5 to 9', colour: '#2c7fb8' },
  { min: 10, max: Infinity, label: '10 or more', colour: '#253494' },
];
const INDICATOR_COLOURS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
/** Coverage classes: a share of an LA's schools (above 0, below max); none is hatched, no schools dotted. */
const COVERAGE_CLASSES = [
  { max: 0.25, label: 'Under 25%', colour: '#c7e9b4' },
  { max: 0.5, label: '25% to under 50%', colour: '#7fcdbb' },
  { max: 0.75, label: '50% to under 75%', colour: '#41b6c4' },
  { max: 1, label: '75% to under 100%', colour: '#2c7fb8' },
  { max: Infinity, label: 'All schools (100%)', colour: '#253494' },
];
/** The coverage colours (the `colour` parameter's values) and the /api/v1/coverage fields they read. */
const COVERAGE_MEASURES = {
  'coverage-served': {
    field: 'served',
    title: 'Coverage: schools in an area served by a local partnership',
    note: 'Share of each local authority’s schools in an area that at least one local partnership serves (national programmes left out); the filters do not change it.',
    short: 'in a served area',
    heading: 'Schools in an area served by a local partnership',
  },
  'coverage-members': {
    field: 'member',
    title: 'Coverage: schools listed as partnership members',
    note: 'Share of each local authority’s schools named as a member of at least one partnership; most records do not list their members yet, and the filters do not change it.',
    short: 'listed as members',
    heading: 'Schools listed as partnership members',
  },
};
const DATA_ATTRIBUTION =
  'Boundaries: ONS, contains OS data © Crown copyright; schools: DfE (OGL v3) · <a href="/about">Sources</a>';
const NUMBER = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 });

// Small helpers ------------------------------------------------------------------------------

/** An element with a class and text (or child nodes). */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A link element. */
function link(href, text, className) {
  const a = el('a', className, text);
  a.href = href;
  return a;
}

/** A non-submitting button that runs onClick. */
function button(text, onClick, className = 'link-button') {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** "1 partnership" / "3 partnerships". */
function plural(n, word) {
  return `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;
}

/** A failed API call, with the service's own explanation. */
class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** JSON (or GeoJSON) from the API; throws ApiError with the service's detail. */
async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: 'application/json, application/geo+json' } });
  if (!response.ok) {
    let detail = `The service answered ${response.status}.`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

/** The generalisation band the server keeps for a zoom (≤6, 7–8, 9–10, 11+). */
function bandFor(zoom) {
  if (zoom <= 6) return 6;
  if (zoom <= 8) return 8;
  if (zoom <= 10) return 10;
  return 11;
}

/** A number for people: 3 significant figures, with the unit where it reads well. */
function formatValue(value, unit) {
  if (value === null || value === undefined) return 'no data';
  const n = NUMBER.format(value);
  if (unit === '%') return `${n}%`;
  if (!unit || unit === 'score' || unit === 'rank') return n;
  return `${n} ${unit}`;
}

/** A 0–1 share as a whole percentage, never rounded to 0% or 100% when it is not. */
function formatShare(share) {
  if (share === null || share === undefined) return 'no data';
  if (share > 0 && share < 0.005) return 'under 1%';
  if (share < 1 && share >= 0.995) return 'over 99%';
  return `${Math.round(share * 100)}%`;
}

// URL state ----------------------------------------------------------------------------------

/** The view, layers, filters and selection held in a query string. */
function readState(search) {
  const params = new URLSearchParams(search);
  const list = (name) =>
    params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const num = (name) => {
    const raw = params.get(name);
    const n = raw === null || raw.trim() === '' ? NaN : Number(raw);
    return Number.isFinite(n) ? n : null;
  };
  const flag = (name) => ['1', 'true', 'on', 'yes'].includes((params.get(name) || '').toLowerCase());
  const layers = params.has('layers') ? list('layers').filter((l) => LAYER_NAMES.includes(l)) : [...DEFAULT_LAYERS];
  return {
    lat: num('lat'),
    lon: num('lon'),
    z: num('z'),
    layers,
    colour: params.get('colour') || 'count',
    theme: list('theme'),
    kind: list('kind'),
    national: flag('national'),
    trust: flag('trust'),
    q: (params.get('q') || '').trim(),
    area: (params.get('area') || '').trim().toUpperCase(),
    sel: (params.get('sel') || '').trim().toUpperCase(),
    p: (params.get('p') || '').trim(),
    pc: (params.get('pc') || '').trim().toUpperCase(),
    inview: flag('inview'),
    form: (params.get('form') || '').trim(),
  };
}

/** The filters as the API takes them (lists comma-separated). */
function apiFilters(state, { area = true, q = true } = {}) {
  const params = new URLSearchParams();
  if (state.theme.length) params.set('theme', state.theme.join(','));
  if (state.kind.length) params.set('kind', state.kind.join(','));
  if (state.national) params.set('national', 'true');
  if (state.trust) params.set('trust', 'true');
  if (q && state.q) params.set('q', state.q);
  if (area && state.area) params.set('area', state.area);
  return params;
}

/** The query string of a view: the server's filter names first, as the plain form sends them. */
function stateQuery(state) {
  const params = new URLSearchParams();
  if (state.lat !== null && state.lon !== null && state.z !== null) {
    params.set('lat', state.lat.toFixed(4));
    params.set('lon', state.lon.toFixed(4));
    params.set('z', String(state.z));
  }
  const layers = LAYER_NAMES.filter((l) => state.layers.includes(l));
  if (layers.join() !== DEFAULT_LAYERS.join()) params.set('layers', layers.join(',') || 'none');
  if (state.colour && state.colour !== 'count') params.set('colour', state.colour);
  state.theme.forEach((t) => params.append('theme', t));
  state.kind.forEach((k) => params.append('kind', k));
  if (state.national) params.set('national', '1');
  if (state.trust) params.set('trust', '1');
  if (state.q) params.set('q', state.q);
  if (state.area) params.set('area', state.area);
  if (state.sel) params.set('sel', state.sel);
  if (state.p) params.set('p', state.p);
  if (state.pc) params.set('pc', state.pc);
  if (state.inview) params.set('inview', '1');
  if (state.form) params.set('form', state.form);
  return params.toString();
}

// The map ------------------------------------------------------------------------------------

/** Everything on the map page: map, layers, legend, list, filters and URL. */
class PartnershipMap {
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
    this.trustData = null;
    this.trustsDrawn = false;
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
    this.trustCluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      spiderfyOnMaxZoom: true,
      clusterPane: 'pmTrusts',
      iconCreateFunction: (c) => trustClusterIcon(c),
    });
    for (const group of [this.cluster, this.trustCluster]) {
      group.on('clusterkeypress', (e) => this.onClusterKey(e, group));
      group.on('animationend spiderfied', () => this.refocusAfterCluster(group));
    }
    this.schoolLayer = L.layerGroup();
    this.schoolLayer.on('add', () => this.loadSchools());
    this.pinLayer = L.layerGroup().addTo(this.map);
    this.layers = {
      la: this.laLayer,
      ca: this.caLayer,
      partnerships: this.cluster,
      schools: this.schoolLayer,
      trusts: this.trustCluster,
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

  // Areas ------------------------------------------------------------------------------------

  /** A level's boundaries for a band, fetched once per page. */
  areaData(level, band) {
    const key = `${level}:${band}`;
    if (!this.areaCache.has(key)) {
      const promise = getJSON(`/api/v1/areas?level=${level}&zoom=${band}`);
      promise.catch(() => this.areaCache.delete(key));
      this.areaCache.set(key, promise);
    }
    return this.areaCache.get(key);
  }

  /** (Re)load the LA and CA boundaries when the zoom enters another band. */
  async loadAreaLayers() {
    const band = bandFor(this.map.getZoom());
    if (band === this.band) return;
    this.band = band;
    const token = ++this.requests.areas;
    try {
      const [las, cas] = await Promise.all([
        this.areaData('local_authority', band),
        this.state.layers.includes('ca') ? this.areaData('combined_authority', band) : null,
      ]);
      if (token !== this.requests.areas) return;
      this.setAreaData(this.laLayer, las);
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
  }

  /** The CA boundaries, when the layer is switched on after the page loaded. */
  async ensureCombinedAuthorities() {
    if (this.caBand === this.band) return;
    const band = this.band ?? bandFor(this.map.getZoom());
    const data = await this.areaData('combined_authority', band);
    this.setAreaData(this.caLayer, data);
    this.caBand = band;
  }

  /** Replace a layer's features, remembering names and layers by code. */
  setAreaData(layer, data) {
    layer.clearLayers();
    layer.addData(data);
  }

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
  }

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
  }

  /** An LA's fill: its count, indicator or coverage class; patterns for none and no data. */
  fillFor(code) {
    if (this.state.form && this.landscape && !this.hasForm(code)) return FORM_MASK_FILL;
    if (this.roles) return this.roleFill(code);
    if (this.coverage) {
      const share = this.coverageShare(code);
      if (share === null) return NO_DATA_FILL;
      if (share === 0) return NONE_FILL;
      return COVERAGE_CLASSES.find((c) => share < c.max).colour;
    }
    if (this.indicator) {
      const value = this.indicator.values[code];
      if (value === null || value === undefined) return NO_DATA_FILL;
      const i = this.indicator.breaks.findIndex((b) => value <= b);
      return INDICATOR_COLOURS[i < 0 ? INDICATOR_COLOURS.length - 1 : i];
    }
    const n = this.counts[code] || 0;
    if (n === 0) return NONE_FILL;
    return COUNT_CLASSES.find((c) => n >= c.min && n <= c.max).colour;
  }

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
  }

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
  }

  /** An LA's share of schools for the chosen coverage measure (null when it has no schools). */
  coverageShare(code) {
    const row = this.coverage && this.coverage.las.get(code);
    const share = row ? row[`${this.coverage.measure.field}_share`] : null;
    return share === undefined ? null : share;
  }

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
  }

  /** Restyle every LA and its label after counts, indicator or selection change. */
  restyle() {
    this.laLayer.setStyle((f) => this.areaStyle(f));
    const selected = this.areaLayers.get(this.state.sel);
    if (selected && this.map.hasLayer(this.laLayer)) selected.bringToFront();
    this.updateLabels();
    this.updateLegend();
    if (this.renderAreaList) this.renderAreaList();
  }

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
  }

  /** Coverage by LA, with the combined authority and region totals, fetched once per page. */
  coverageTable() {
    if (!this.coverageData) {
      const byCode = (rows) => new Map((rows || []).map((r) => [r.code, r]));
      this.coverageData = getJSON('/api/v1/coverage').then((data) => ({
        las: byCode(data.local_authorities),
        cas: byCode(data.combined_authorities),
        regions: byCode(data.regions),
      }));
      this.coverageData.catch(() => { this.coverageData = null; });
    }
    return this.coverageData;
  }

  /** The LA counts after the filters (always: popups use them), and an indicator's values or coverage if chosen. */
  async loadColours() {
    const token = ++this.requests.colours;
    const colour = this.state.colour;
    const measure = COVERAGE_MEASURES[colour] || null;
    const query = apiFilters(this.state, { area: false, q: false });
    query.set('level', 'local_authority');
    try {
      const [counts, data, coverage, landscape] = await Promise.all([
        getJSON(`/api/v1/areas/counts?${query}`),
        colour && colour !== 'count' && colour !== ROLE_COLOUR && !measure ? getJSON(`/api/v1/indicators/${encodeURIComponent(colour)}/values`) : null,
        measure ? this.coverageTable() : null,
        colour === ROLE_COLOUR || this.state.form ? this.landscapeTable() : null,
      ]);
      if (token !== this.requests.colours) return;
      this.landscape = landscape || this.landscape;
      this.roles = colour === ROLE_COLOUR ? landscape : null;
      this.counts = counts;
      this.indicator = data ? { meta: data.indicator, values: data.values, ...quantileBreaks(data.values) } : null;
      this.coverage = coverage ? { measure, ...coverage } : null;
      this.restyle();
      const popup = this.areaPopupRef;
      if (popup && popup.isOpen()) popup.update();
    } catch (err) {
      if (token !== this.requests.colours) return;
      if (colour !== 'count' && err instanceof ApiError && err.status === 404) {
        this.state.colour = 'count';
        this.syncColourSelect();
        await this.loadColours();
        return;
      }
      this.showProblem(`The map colours did not load: ${err.message}`);
    }
  }

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
  }

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
  }

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
  }

  /** The popup of a combined authority. */
  caPopup(props) {
    return el('div', 'popup',
      el('p', 'popup__title', el('strong', null, props.name)),
      el('p', null, props.is_mayoral ? 'Mayoral combined authority' : 'Combined authority (no elected mayor)'),
      el('ul', 'popup__actions', el('li', null, link(`/areas/${props.code}`, `${props.name}: area profile`))));
  }

  /** A click on the map outside the areas: offer what is near the point. */
  onMapClick(e) {
    const { lat, lng } = e.latlng;
    L.popup({ maxWidth: 240 })
      .setLatLng(e.latlng)
      .setContent(el('div', 'popup',
        el('p', null, 'No local authority here on the map.'),
        el('ul', 'popup__actions', el('li', null, link(`/near?lat=${lat.toFixed(5)}&lon=${lng.toFixed(5)}`, 'What’s near here')))))
      .openOn(this.map);
  }

  // Partnerships -----------------------------------------------------------------------------

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
  }

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
  }

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
  }

  /** Remember Enter on a cluster, so focus can follow the zoom (Leaflet.markercluster#273). */
  onClusterKey(e, group) {
    if (e.originalEvent && e.originalEvent.key === 'Enter') this.clusterFocus = { group, children: e.layer.getAllChildMarkers() };
  }

  /** After a keyboard zoom into one of a group's clusters, focus what it became. */
  refocusAfterCluster(group) {
    if (!this.clusterFocus || this.clusterFocus.group !== group) return;
    const { children } = this.clusterFocus;
    this.clusterFocus = null;
    const visible = group.getVisibleParent(children[0]);
    const target = visible && visible.getElement();
    if (target) target.focus();
  }

  /** A partnership's popup: name linked to its page, kind, areas and lead. */
  partnershipPopup(props) {
    const parts = [el('p', 'popup__title', link(props.url, props.name))];
    parts.push(el('p', null, el('span', `tag${props.is_national ? ' national' : ''}`, props.kind_label)));
    if (props.area_names && props.area_names.length) parts.push(el('p', null, `Serves: ${props.area_names.join(', ')}`));
    if (props.lead_organisation) parts.push(el('p', 'muted', `Led by ${props.lead_organisation}`));
    return el('div', 'popup', ...parts);
  }

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
  }

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
  }

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
  }

  /** Open a layer's popup without moving the map (restoring a permalink). */
  openQuietly(layer) {
    const popup = layer.getPopup();
    const autoPan = popup.options.autoPan;
    popup.options.autoPan = false;
    layer.openPopup();
    popup.options.autoPan = autoPan;
  }

  // Schools ----------------------------------------------------------------------------------

  /**
   * Schools as vector tiles (/tiles/schools/{z}/{x}/{y}.mvt), drawn on canvas from zoom 11.
   * The tiles are cached by the server and the browser, so a pan fetches only new tiles. The
   * vector-tile library is loaded the first time the layer is on, to keep the first load light.
   */
  async loadSchools() {
    if (!this.state.layers.includes('schools') || this.schoolTiles) return;
    try {
      await loadScript(this.container.dataset.vectorgridSrc);
    } catch (err) {
      this.showProblem(`Schools did not load: ${err.message}`);
      return;
    }
    if (this.schoolTiles) return;
    // The schools' canvas sits above the area shapes but lets the pointer through to them; a
    // click or hover is matched to a school here first, in the capture phase, so a click on a
    // school opens the school and a click anywhere else still reaches the area beneath.
    this.map.createPane('pmSchools').style.zIndex = '430';
    // 512-pixel tiles from one zoom level up: a quarter of the requests for the same view. The
    // grid of 512-pixel tiles at zoom z is the grid of 256-pixel tiles at z - 1, which the server
    // serves, so only the zoom in the address changes.
    const UpOneZoom = L.VectorGrid.Protobuf.extend({
      _getVectorTilePromise(coords, tileBounds) {
        const up = L.point(coords.x, coords.y);
        up.z = coords.z - 1;
        return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, up, tileBounds);
      },
    });
    this.schoolTiles = new UpOneZoom('/tiles/schools/{z}/{x}/{y}.mvt', {
      pane: 'pmSchools',
      minZoom: SCHOOL_MIN_ZOOM,
      tileSize: 512,
      maxNativeZoom: 16,
      rendererFactory: L.canvas.tile,
      interactive: true,
      getFeatureId: (f) => f.properties.urn,
      vectorTileLayerStyles: { schools: (props) => ({ ...schoolStyle(props), fill: true }) },
    });
    this.container.addEventListener('click', (ev) => {
      const school = this.schoolAt(ev);
      if (!school) return;
      ev.stopPropagation();
      L.popup().setLatLng(this.map.mouseEventToLatLng(ev)).setContent(schoolPopup(school)).openOn(this.map);
    }, true);
    this.container.addEventListener('mousemove', (ev) => {
      const school = this.schoolAt(ev);
      if ((school && school.urn) === (this.schoolTip && this.schoolTip.urn)) return;
      if (this.schoolTip) this.map.closeTooltip(this.schoolTip.tooltip);
      this.schoolTip = school && {
        urn: school.urn,
        tooltip: this.map.openTooltip(`${school.name}${school.phase ? ` (${school.phase})` : ''}`, this.map.mouseEventToLatLng(ev)),
      };
      this.container.classList.toggle('pm-over-school', Boolean(school));
    }, true);
    this.schoolTiles.on('tileerror', () => this.showProblem('Some schools did not load: try again shortly.'));
    // Once the tiles in view have arrived: how many schools are drawn, and their names.
    this.schoolTiles.on('load', () => {
      this.container.dataset.schools = String((this.schoolFeatures() || []).length);
      if (this.basemap) this.basemap.loadSchools(this.map.getZoom());
    });
    this.schoolLayer.addLayer(this.schoolTiles);
  }

  /** The school drawn under the pointer, if the schools layer is showing one there. */
  schoolAt(ev) {
    const tiles = this.schoolTiles;
    if (!tiles || !this.map.hasLayer(tiles) || this.map.getZoom() < SCHOOL_MIN_ZOOM) return null;
    if (ev.target.closest('.leaflet-control, .leaflet-popup, .leaflet-tooltip')) return null;
    const point = this.map.mouseEventToLayerPoint(ev);
    // The same test Leaflet.VectorGrid makes for its own clicks: each tile's canvas, its symbols.
    for (const renderer of Object.values(tiles._vectorTiles || {})) {
      if (!renderer._map) continue;
      const local = point.subtract(renderer.getOffset());
      for (const symbol of Object.values(renderer._layers || {})) {
        if (symbol._containsPoint && symbol._containsPoint(local)) return symbol.properties;
      }
    }
    return null;
  }

  /** Where the school circles in view are (place names keep clear of them). */
  schoolPoints() {
    return (this.schoolFeatures() || []).map((s) => s.latlng);
  }

  /** The schools drawn in view from the tiles, with name and place; null when none are drawn. */
  schoolFeatures() {
    if (!this.state.layers.includes('schools') || this.map.getZoom() < SCHOOL_MIN_ZOOM) return null;
    const tiles = this.schoolTiles;
    if (!tiles || !this.map.hasLayer(tiles)) return []; // on its way: names follow the tiles
    const view = this.map.getBounds();
    const found = new Map();
    // Each tile's symbols are placed in its canvas: add the tile's offset to reach the map.
    for (const renderer of Object.values(tiles._vectorTiles || {})) {
      if (!renderer._map) continue; // a tile not yet placed, or already gone
      const offset = renderer.getOffset();
      for (const symbol of Object.values(renderer._layers || {})) {
        if (!symbol._point || !symbol.properties) continue;
        const latlng = this.map.layerPointToLatLng(symbol._point.add(offset));
        if (view.contains(latlng)) found.set(symbol.properties.urn, { ...symbol.properties, latlng });
      }
    }
    return [...found.values()];
  }

  // Academy trusts --------------------------------------------------------------------------

  /** Every open trust's head office (about 2,200 points), fetched once per page for the whole map. */
  trustPoints() {
    if (!this.trustData) {
      const [[s, w], [n, e]] = MAX_BOUNDS;
      this.trustData = getJSON(`/api/v1/trusts?bbox=${w},${s},${e},${n}`);
      this.trustData.catch(() => { this.trustData = null; });
    }
    return this.trustData;
  }

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
  }

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
  }

  // Layers, view and URL ---------------------------------------------------------------------

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

  /** Put the view into the address bar, the share box and the embed link. */
  writeUrl() {
    const centre = this.map.getCenter();
    this.state.lat = centre.lat;
    this.state.lon = centre.lng;
    this.state.z = this.map.getZoom();
    const query = stateQuery(this.state);
    window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
    const origin = window.location.origin;
    const share = document.getElementById('share-link');
    if (share) share.value = `${origin}/?${query}`;
    const code = document.getElementById('embed-code');
    if (code) {
      code.value = `<iframe src="${origin}/embed?${query}" title="Map of education partnerships" width="600" height="450" style="border:0" loading="lazy"></iframe>`;
    }
    const open = document.getElementById('embed-open');
    if (open) open.href = `/?${query}`;
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

  // Legend -----------------------------------------------------------------------------------

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
  }

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
        el('li', null, el('span', 'pm-swatch pm-swatch--trust', ''), 'Trust (square)'),
        el('li', null, el('span', 'pm-swatch pm-swatch--trust-cluster', '3'), 'Group of nearby trusts (stacked squares)')));
    }
    if (!parts.length) parts.push(el('p', 'pm-legend__note', 'No layers are switched on.'));
    this.legendBody.replaceChildren(...parts);
  }

  /** The legend's part for the LA colours: count, indicator or coverage classes. */
  areaLegend() {
    const formNote = this.formLegend();
    if (this.roles) return [...this.roleLegend(), ...formNote];
    if (formNote.length) return [...formNote, ...this.colourLegend()];
    return this.colourLegend();
  }

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
  }

  /** In words: which partnerships the counts include. */
  filterSummary() {
    const bits = [];
    if (this.state.theme.length) bits.push(plural(this.state.theme.length, 'theme') + ' chosen');
    if (this.state.kind.length) bits.push(plural(this.state.kind.length, 'kind') + ' chosen');
    if (this.state.trust) bits.push('involving an academy trust');
    const scope = this.state.national ? 'Local partnerships and national programmes' : 'Local partnerships only';
    return `${scope}${bits.length ? `; ${bits.join(', ')}` : ''}.`;
  }

  // Council roles and forms of collaboration (the landscape register) -----------------------

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
  }

  /** An LA's fill by council role: hatched when no source says (or no row). */
  roleFill(code) {
    const row = this.roles.las.get(code);
    const found = row && ROLE_CLASSES.find((c) => c.code === row.council_role);
    return found ? found.colour : NONE_FILL;
  }

  /** Whether the LA's landscape lists the chosen form of collaboration. */
  hasForm(code) {
    const row = this.landscape.las.get(code);
    return Boolean(row && row.collaboration_forms.includes(this.state.form));
  }

  /** Hover text when colouring by role. */
  roleTooltip(props) {
    const row = this.roles.las.get(props.code);
    const label = row && row.council_role ? this.roles.labels[row.council_role] : 'not recorded';
    return `${props.name}: council’s school-improvement role ${label.toLowerCase()}`;
  }

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
  }

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
  }

  /** The legend of the role colours: a categorical key, unknown hatched. */
  roleLegend() {
    const counts = new Map();
    for (const row of this.roles.las.values()) counts.set(row.council_role, (counts.get(row.council_role) || 0) + 1);
    const n = (code) => ` (${counts.get(code) || 0})`;
    return [
      el('p', 'pm-legend__title', 'Council’s school-improvement role'),
      el('ul', 'pm-legend__items',
        ...ROLE_CLASSES.map((c) => el('li', null, swatch(c.colour), `${c.label}${n(c.code)}`)),
        el('li', null, el('span', 'pm-swatch pm-swatch--none', ''), `Not known (hatched)${n('unknown')}`)),
      el('p', 'pm-legend__source', 'Source: the project’s local landscape register, one public page per council; dates vary.'),
      el('p', 'pm-legend__link', link('/areas', 'The table of all councils')),
    ];
  }

  /** The legend's note for the form-of-collaboration filter (empty when it is off). */
  formLegend() {
    if (!this.state.form || !this.landscape) return [];
    const label = this.landscape.forms[this.state.form] || this.state.form;
    const swatchEl = swatch(FORM_MASK_FILL);
    return [el('ul', 'pm-legend__items', el('li', null, swatchEl, `Pale: no “${label.toLowerCase()}” recorded`))];
  }

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
  }

  // Toolbar: layers, colour, share ----------------------------------------------------------

  /** The layer checkboxes, the colour select and the share box above the map. */
  wireToolbar() {
    const toolbar = document.getElementById('map-toolbar');
    if (!toolbar) return;
    toolbar.hidden = false;
    const help = document.getElementById('map-help');
    if (help) help.hidden = false;
    toolbar.querySelectorAll('input[name="layer"]').forEach((box) => {
      box.addEventListener('change', () => this.setLayer(box.value, box.checked));
    });
    const select = document.getElementById('map-colour');
    if (select) {
      this.syncColourSelect();
      select.addEventListener('change', async () => {
        this.state.colour = select.value;
        if (select.value !== 'count' && !this.state.layers.includes('la')) await this.setLayer('la', true);
        await this.loadColours();
        this.writeUrl();
      });
    }
    toolbar.querySelectorAll('.map-share input, .map-share textarea').forEach((field) => {
      field.addEventListener('focus', () => field.select());
    });
    this.wireFormFilter();
  }

  /** Show the state's colour in the select (falling back to counts for an unknown code). */
  syncColourSelect() {
    const select = document.getElementById('map-colour');
    if (!select) return;
    const known = [...select.options].some((o) => o.value === this.state.colour);
    if (!known) this.state.colour = 'count';
    select.value = this.state.colour;
  }

  // Filters and list -------------------------------------------------------------------------

  /** Apply the filters form without a reload (it stays a plain GET form without JavaScript). */
  wireFilters() {
    if (!this.form) return;
    let timer = 0;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      window.clearTimeout(timer);
      this.applyFilters();
    });
    this.form.addEventListener('change', (e) => {
      if (e.target.name === 'q') return;
      this.applyFilters();
    });
    this.form.addEventListener('input', (e) => {
      if (e.target.name !== 'q') return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => this.applyFilters(), TYPING_DELAY_MS);
    });
    const clear = this.form.querySelector('a[href="/"]');
    if (clear) {
      clear.addEventListener('click', (e) => {
        e.preventDefault();
        this.clearFilters();
      });
    }
  }

  /** Copy the filters form into the state. */
  readForm() {
    const data = new FormData(this.form);
    this.state.theme = data.getAll('theme').map(String);
    this.state.kind = data.getAll('kind').map(String);
    this.state.national = data.has('national');
    this.state.trust = data.has('trust');
    this.state.q = String(data.get('q') || '').trim();
    this.state.area = String(data.get('area') || '').trim().toUpperCase();
  }

  /** Read the form into the state and reload what depends on it. */
  async applyFilters() {
    this.readForm();
    this.updateFilterSummary();
    this.writeUrl();
    await Promise.all([this.loadPartnerships(), this.loadColours()]);
  }

  /** Untick every filter, forget the area and reload. */
  async clearFilters() {
    this.form.querySelectorAll('input[type="checkbox"]').forEach((box) => { box.checked = false; });
    const q = this.form.querySelector('input[name="q"]');
    if (q) q.value = '';
    this.setAreaInput('');
    await this.applyFilters();
  }

  /** "Filters (3 chosen)" on the folding summary. */
  updateFilterSummary() {
    const summary = this.form && this.form.querySelector('details > summary');
    if (!summary) return;
    const n = this.state.theme.length + this.state.kind.length;
    summary.textContent = n ? `Filters (${n} chosen)` : 'Filters';
  }

  /** The hidden area field of the form. */
  setAreaInput(code) {
    if (!this.form) return;
    let input = this.form.querySelector('input[name="area"]');
    if (!code) {
      if (input) input.remove();
      return;
    }
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'area';
      this.form.prepend(input);
    }
    input.value = code;
  }

  /** List only the partnerships serving an area ('' for all). */
  async setArea(code) {
    this.state.area = code;
    this.setAreaInput(code);
    this.writeUrl();
    await this.loadPartnerships();
    const popup = this.areaPopupRef;
    if (!popup || !popup.isOpen()) return;
    const hadFocus = popup.getElement().contains(document.activeElement);
    popup.update();
    if (hadFocus) popup.getElement().querySelector('.popup__actions button')?.focus();
  }

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
  }

  /** The features the list shows: all of them, or those in the map view. */
  listedFeatures() {
    if (!this.state.inview) return this.features;
    const view = this.map.getBounds();
    return this.features.filter((f) => f.geometry && view.contains(L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])));
  }

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
  }

  /** One list entry, as templates/partials/partnership_item.html draws it, plus "Show on map". */
  listItem(props, placed) {
    const li = el('li', 'partnership-item');
    li.dataset.slug = props.slug;
    li.append(el('h3', null, link(props.url || `/partnerships/${props.slug}`, props.name)));
    const meta = el('p', 'muted', el('span', `tag${props.is_national ? ' national' : ''}`, props.kind_label));
    if (props.currency === 'ended') meta.append(' ', el('span', 'tag status-ended', 'Ended'));
    else if (props.currency === 'unconfirmed') {
      const since = props.evidence_year ? ` since ${props.evidence_year}` : ' (undated source)';
      const tag = el('span', 'tag status-ended', `Unconfirmed${since}`);
      tag.title = 'Existed at its newest dated source; not confirmed since';
      meta.append(' ', tag);
    } else if (props.currency === 'current') meta.append(' ', el('span', 'tag', 'Current'));
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
  }

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
  }

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
  }

  /** The sentence the live region reads after a change. */
  statusText(n) {
    const where = this.state.area ? ` serving ${this.areaNames.get(this.state.area) || this.state.area}` : '';
    const view = this.state.inview ? ' in the map view' : '';
    const scope = this.state.national ? 'National programmes are included.' : 'Local partnerships; national programmes are hidden.';
    return n ? `${plural(n, 'partnership')}${where}${view}. ${scope}` : `No partnerships match${where}${view}. ${scope}`;
  }

  /** Tick "show national programmes" and reload. */
  async showNational() {
    const box = this.form && this.form.querySelector('input[name="national"]');
    if (box) box.checked = true;
    await this.applyFilters();
  }

  /** Empty the name search and reload. */
  async clearName() {
    const q = this.form && this.form.querySelector('input[name="q"]');
    if (q) q.value = '';
    await this.applyFilters();
  }

  /** Switch "only in the map view" on or off. */
  setInView(on) {
    this.state.inview = on;
    const box = document.getElementById('list-inview');
    if (box) box.checked = on;
    this.writeUrl();
    this.renderList();
  }

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
  }

  /** From the list: zoom to a partnership's marker, open it and move focus into its popup. */
  async showOnMap(slug, trigger) {
    const marker = this.markers.get(slug);
    if (!marker) return;
    if (!this.state.layers.includes('partnerships')) await this.setLayer('partnerships', true);
    this.map.closePopup();
    this.opener = trigger;
    this.cluster.zoomToShowLayer(marker, () => marker.openPopup());
  }

  // Search: postcodes are shown on this map ---------------------------------------------------

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
  }

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
  }

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
  }

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
  }

  // Errors -----------------------------------------------------------------------------------

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

/** Escape text for the few places Leaflet takes HTML. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A coloured legend square. */
function swatch(colour) {
  const span = el('span', 'pm-swatch');
  span.style.background = colour;
  return span;
}

/** Upper bounds of up to five classes with about as many LAs in each (quantiles), and the minimum. */
function quantileBreaks(values) {
  const sorted = Object.values(values).filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  const breaks = [];
  for (let i = 1; sorted.length && i <= INDICATOR_COLOURS.length; i += 1) {
    const index = Math.min(sorted.length - 1, Math.ceil((i * sorted.length) / INDICATOR_COLOURS.length) - 1);
    const value = sorted[index];
    if (!breaks.length || value > breaks[breaks.length - 1]) breaks.push(value);
  }
  return { breaks, min: sorted.length ? sorted[0] : null };
}

/** Load a classic script once (a library that adds itself to L); resolves when it has run. */
const loadedScripts = new Map();
function loadScript(src) {
  if (!loadedScripts.has(src)) {
    loadedScripts.set(src, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => {
        loadedScripts.delete(src);
        reject(new Error('the map library did not load'));
      };
      document.head.append(script);
    }));
  }
  return loadedScripts.get(src);
}

/** Circle style for a school: filled for academies, hollow for the rest. */
function schoolStyle(props) {
  const academy = Boolean(props.is_academy);
  return {
    radius: 5,
    color: '#0b0c0c',
    weight: 1.5,
    fillColor: academy ? '#0b0c0c' : '#ffffff',
    fillOpacity: 1,
  };
}

/** A school's popup: name linked to its page, phase, status. */
function schoolPopup(props) {
  const detail = [props.phase, props.is_academy ? 'Academy' : null, props.status].filter(Boolean).join(' · ');
  const parts = [el('p', 'popup__title', link(`/schools/${props.urn}`, props.name)), el('p', null, detail)];
  if (props.trust_uid) parts.push(el('p', null, link(`/trusts/${props.trust_uid}`, 'Its trust')));
  return el('div', 'popup', ...parts);
}

/** "Multi-academy trust" as it reads inside a sentence. */
function trustKind(props) {
  const kind = props.group_type || 'Academy trust';
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/** A trust marker's name for the keyboard and the hover tooltip: name, kind and size. */
function trustTitle(props) {
  return `${props.name} (${trustKind(props)}, ${plural(props.school_count || 0, 'school')})`;
}

/** A trust's popup: name linked to its page, kind, head office town and number of schools. */
function trustPopup(props) {
  const n = props.school_count || 0;
  return el('div', 'popup',
    el('p', 'popup__title', link(`/trusts/${props.uid}`, props.name)),
    el('p', null, el('span', 'tag', props.group_type || 'Academy trust')),
    props.town ? el('p', null, `Head office: ${props.town}`) : null,
    el('p', null, n ? `${plural(n, 'school')} in the trust` : 'No schools recorded in the trust'));
}

/** A group of trusts: a square with the count, its size in words for screen readers. */
function trustClusterIcon(cluster) {
  const n = cluster.getChildCount();
  const size = n < 10 ? 26 : n < 100 ? 30 : 36;
  const html = `<span aria-hidden="true">${n}</span><span class="visually-hidden">${plural(n, 'academy trust')}; press Enter to zoom in</span>`;
  return L.divIcon({ html, className: 'pm-trust-cluster', iconSize: [size, size] });
}

const container = document.getElementById('map');
if (container && L && L.markerClusterGroup) {
  const app = new PartnershipMap(container);
  app.start().catch((err) => app.showProblem(`The map could not start: ${err.message}`));
}
