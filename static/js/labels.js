/**
 * The offline basemap: England's land and coast, and place names drawn on a canvas.
 *
 * Used when no raster basemap is configured (the default, and the only choice offline). Names come
 * from /api/v1/basemap/labels (local authorities at national zooms, districts from zoom 8, towns
 * and villages from zoom 8 to 11 by size) and, from zoom 14, school names: from the map's own school
 * tiles where it draws them (``schoolFeatures``), otherwise from /api/v1/schools.
 * Labels are placed greedily by priority: each one is kept only if its box touches no label
 * already placed and no marker, cluster or count label on the map, so names never sit under
 * markers; a white halo keeps them readable on every fill. The canvas is decorative (aria-hidden):
 * the list beside the map and the "areas on this map" list carry the same places in text.
 */

/** Leaflet, read when needed: the mini maps may load it after this module. */
const leaflet = () => window.L;

const SCHOOL_LABEL_ZOOM = 14;
const MAX_SCHOOL_LABELS = 400;
const SAME_NAME_GAP_PX = 260;
const BOX_PAD_PX = 3;
const OBSTACLE_SELECTOR = '.leaflet-marker-pane .leaflet-marker-icon, .pm-area-label span, .leaflet-control';
const MAX_NAME_CHARS = 36;

/** The label payload a zoom needs (the server keeps three). */
function labelBand(zoom) {
  if (zoom <= 7) return 7;
  if (zoom <= 9) return 9;
  return 22;
}

/** The generalisation band of the land outline for a zoom (as the area layers use). */
function landBand(zoom) {
  if (zoom <= 6) return 6;
  if (zoom <= 8) return 8;
  return 10;
}

/** How a label looks: font, colour and where its text sits relative to its point. */
function labelStyle(kind, rank, zoom) {
  if (kind === 'la') {
    return { font: `700 ${zoom < 7 ? 11 : 13}px system-ui, sans-serif`, colour: '#1d2b3a', halo: 3.5 };
  }
  if (kind === 'district') return { font: 'italic 600 12px system-ui, sans-serif', colour: '#3b3b3b', halo: 3 };
  if (kind === 'school') return { font: '12px system-ui, sans-serif', colour: '#262626', halo: 3, side: true };
  const size = rank >= 100 ? 15 : rank >= 25 ? 14 : rank >= 3 ? 13 : 12;
  return { font: `${rank >= 25 ? 700 : 600} ${size}px system-ui, sans-serif`, colour: '#0b0c0c', halo: 3.5 };
}

/**
 * Which labels win when they collide, lower first: at national zooms the local authorities
 * (largest first) after the biggest cities; closer in, towns by their number of schools, with cities ahead of area names.
 */
function tier(kind, rank, zoom) {
  if (kind === 'school') return 5;
  if (zoom < 8) return kind === 'town' && rank >= 150 ? 0 : kind === 'la' ? 1 : 3;
  if (kind === 'town' && rank >= 100) return zoom >= 10 ? 0 : 1;
  if (kind === 'la') return zoom >= 10 ? 1 : 0;
  if (kind === 'district') return 2;
  return 3;
}

/** A long name cut at a word, with an ellipsis (the full name is in the school's tooltip). */
function shorten(name) {
  if (name.length <= MAX_NAME_CHARS) return name;
  const cut = name.slice(0, MAX_NAME_CHARS);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : MAX_NAME_CHARS).replace(/[\s,]+$/, '')}…`;
}

/** Two boxes {x1, y1, x2, y2} overlap. */
function overlaps(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

/** JSON from the API, or null on failure (the basemap is an aid; the map works without it). */
async function fetchJSON(url, signal) {
  try {
    const response = await fetch(url, { signal, headers: { Accept: 'application/geo+json' } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** The land, coast and place names under and between the map's own layers. */
export class OfflineBasemap {
  /**
   * @param {L.Map} map the Leaflet map
   * @param {{schoolPoints?: () => L.LatLng[], schoolLabelZoom?: number}} options where the school
   *   circles are (labels keep clear of them) and the zoom from which schools are named
   */
  constructor(map, options = {}) {
    this.map = map;
    this.options = options;
    this.schoolZoom = options.schoolLabelZoom ?? SCHOOL_LABEL_ZOOM;
    this.labels = new Map();
    this.schoolLabels = [];
    this.widths = new Map();
    this.landBand = null;
    this.frame = 0;
    this.schoolController = null;
    this.placed = [];
    this.dots = [];
  }

  /** Panes, the canvas and the event hooks; then the first load. */
  addTo() {
    const L = leaflet();
    const map = this.map;
    map.createPane('pmLand').style.zIndex = '150';
    map.createPane('pmCoast').style.zIndex = '415';
    map.getPane('pmCoast').style.pointerEvents = 'none';
    const places = map.createPane('pmPlaces');
    places.style.zIndex = '460';
    places.style.pointerEvents = 'none';
    this.landLayer = L.geoJSON(null, {
      pane: 'pmLand',
      renderer: L.svg({ pane: 'pmLand' }),
      interactive: false,
      style: { stroke: false, fillColor: '#f5f3ee', fillOpacity: 1 },
    }).addTo(map);
    this.coastLayer = L.geoJSON(null, {
      pane: 'pmCoast',
      renderer: L.svg({ pane: 'pmCoast' }),
      interactive: false,
      style: { color: '#3f6f96', weight: 1.6, opacity: 0.9, fill: false },
    }).addTo(map);
    this.canvas = L.DomUtil.create('canvas', 'pm-places', places);
    this.canvas.setAttribute('aria-hidden', 'true');
    this.canvas.dataset.labels = '0';
    map.on('zoomstart', () => { this.canvas.style.visibility = 'hidden'; });
    map.on('moveend', () => this.onMoveEnd());
    map.on('resize', () => this.refresh());
    // Markers and clusters come and go as the map moves: place the names again after them.
    map.on('layeradd layerremove', (e) => {
      if (e.layer instanceof L.Marker || e.layer instanceof L.CircleMarker) this.refresh();
    });
    this.onMoveEnd();
    return this;
  }

  /** After a pan or zoom: the payloads the new view needs, then the labels. */
  onMoveEnd() {
    const zoom = this.map.getZoom();
    this.loadLand(landBand(zoom));
    this.loadLabels(labelBand(zoom));
    this.loadSchools(zoom);
    this.refresh();
  }

  /** England's outline for a band, once per band per page. */
  async loadLand(band) {
    if (band === this.landBand) return;
    this.landBand = band;
    const data = await fetchJSON(`/api/v1/basemap/land?zoom=${band}`);
    if (!data || band !== this.landBand) return;
    this.landLayer.clearLayers().addData(data);
    this.coastLayer.clearLayers().addData(data);
  }

  /** A band's place names, once per band per page. */
  loadLabels(band) {
    const L = leaflet();
    if (!this.labels.has(band)) {
      const promise = fetchJSON(`/api/v1/basemap/labels?zoom=${band}`).then((data) => {
        if (!data) {
          this.labels.delete(band);
          return [];
        }
        return data.features.map((f) => ({
          name: f.properties.n,
          kind: f.properties.k,
          rank: f.properties.r,
          minZoom: f.properties.z,
          latlng: L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]),
        }));
      });
      this.labels.set(band, promise);
      promise.then(() => this.refresh());
    }
    return this.labels.get(band);
  }

  /** School names in view from zoom 14. */
  async loadSchools(zoom) {
    const L = leaflet();
    if (this.schoolController) this.schoolController.abort();
    if (zoom < this.schoolZoom) {
      this.schoolLabels = [];
      return;
    }
    // Where the map draws its own schools (vector tiles), their names come from the same tiles.
    const drawn = this.options.schoolFeatures ? this.options.schoolFeatures() : null;
    if (drawn) {
      this.schoolLabels = drawn.slice(0, MAX_SCHOOL_LABELS).map((s) => ({
        name: shorten(s.name),
        kind: 'school',
        rank: s.is_academy ? 1 : 0,
        minZoom: this.schoolZoom,
        latlng: s.latlng,
      }));
      this.refresh();
      return;
    }
    this.schoolController = new AbortController();
    const b = this.map.getBounds().pad(0.1);
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(',');
    const data = await fetchJSON(`/api/v1/schools?bbox=${bbox}`, this.schoolController.signal);
    if (!data) return;
    this.schoolLabels = data.features.slice(0, MAX_SCHOOL_LABELS).map((f) => ({
      name: shorten(f.properties.name),
      kind: 'school',
      rank: f.properties.is_academy ? 1 : 0,
      minZoom: this.schoolZoom,
      latlng: L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]),
    }));
    this.refresh();
  }

  /** Place the labels again on the next frame (many events can ask at once). */
  refresh() {
    if (this.frame) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** The boxes labels must keep clear of: markers, clusters, count labels and school circles. */
  obstacles() {
    const container = this.map.getContainer();
    const origin = container.getBoundingClientRect();
    const boxes = [];
    container.querySelectorAll(OBSTACLE_SELECTOR).forEach((node) => {
      const r = node.getBoundingClientRect();
      if (!r.width || !r.height) return;
      boxes.push({ x1: r.left - origin.left, y1: r.top - origin.top, x2: r.right - origin.left, y2: r.bottom - origin.top });
    });
    const points = this.options.schoolPoints ? this.options.schoolPoints() : [];
    this.dots = points.map((latlng) => this.map.latLngToContainerPoint(latlng));
    for (const p of this.dots) boxes.push({ x1: p.x - 4, y1: p.y - 4, x2: p.x + 4, y2: p.y + 4 });
    return boxes;
  }

  /** A text's width in a font, measured once. */
  width(ctx, font, text) {
    const key = `${font}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      ctx.font = font;
      w = ctx.measureText(text).width;
      this.widths.set(key, w);
    }
    return w;
  }

  /** Draw every label that fits, highest priority first. */
  async draw() {
    const L = leaflet();
    const map = this.map;
    const zoom = map.getZoom();
    const band = labelBand(zoom);
    const labels = await this.loadLabels(band);
    if (labelBand(map.getZoom()) !== band) return;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    canvas.width = Math.round(size.x * ratio);
    canvas.height = Math.round(size.y * ratio);
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);

    const view = map.getBounds().pad(0.05);
    const candidates = [...labels, ...(zoom >= this.schoolZoom ? this.schoolLabels : [])]
      .filter((l) => l.minZoom <= zoom && view.contains(l.latlng))
      .map((l) => ({ ...l, tier: tier(l.kind, l.rank, zoom) }))
      .sort((a, b) => a.tier - b.tier || b.rank - a.rank);

    const taken = this.obstacles();
    // A named school the map has not drawn gets a small dot of its own.
    const undrawn = (at) => !this.dots.some((q) => Math.abs(q.x - at.x) < 3 && Math.abs(q.y - at.y) < 3);
    const placed = [];
    const byName = new Map();
    for (const label of candidates) {
      const style = labelStyle(label.kind, label.rank, zoom);
      const p = map.latLngToContainerPoint(label.latlng);
      const w = this.width(ctx, style.font, label.name);
      const h = parseInt(/(\d+)px/.exec(style.font)[1], 10) + 2;
      // Where the text may go: beside a school's dot; on a place's point, else just above or below
      // it (a marker often sits on the middle of an area).
      const tries = style.side
        ? [[p.x + 9, p.y, 'left'], [p.x - 9, p.y, 'right']]
        : [[p.x, p.y, 'center'], [p.x, p.y - h - 4, 'center'], [p.x, p.y + h + 4, 'center']];
      for (const [x, y, align] of tries) {
        const x1 = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
        const box = { x1: x1 - BOX_PAD_PX, y1: y - h / 2 - BOX_PAD_PX, x2: x1 + w + BOX_PAD_PX, y2: y + h / 2 + BOX_PAD_PX };
        if (box.x1 < 0 || box.y1 < 0 || box.x2 > size.x || box.y2 > size.y) continue;
        if (taken.some((t) => overlaps(t, box)) || placed.some((t) => overlaps(t.box, box))) continue;
        const same = byName.get(label.name) || [];
        if (same.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < SAME_NAME_GAP_PX)) break;
        placed.push({ box, label, x, y, align, style });
        byName.set(label.name, [...same, p]);
        break;
      }
    }

    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    for (const { label, x, y, align, style } of placed) {
      const at = map.latLngToContainerPoint(label.latlng);
      if (label.kind === 'school' && undrawn(at)) {
        ctx.beginPath();
        ctx.arc(at.x, at.y, 2.5, 0, Math.PI * 2);
        ctx.fillStyle = '#505a5f';
        ctx.fill();
      }
      ctx.font = style.font;
      ctx.textAlign = align;
      ctx.lineWidth = style.halo;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
      ctx.strokeText(label.name, x, y);
      ctx.fillStyle = style.colour;
      ctx.fillText(label.name, x, y);
    }
    this.placed = placed.map((p) => ({ name: p.label.name, kind: p.label.kind, box: p.box }));
    canvas.pmLabels = this.placed;
    canvas.dataset.labels = String(placed.length);
    canvas.style.visibility = '';
  }

  /** The labels drawn now (name, kind, box in container pixels), for tests and the areas list. */
  drawn() {
    return this.placed;
  }
}
