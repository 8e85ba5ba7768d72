/**
 * Point layers drawn on canvas from vector tiles (schools, academy trusts): 512-pixel tiles fetched
 * from one zoom up, each tile's "capped" flag, a pointer that passes through to the areas beneath
 * except over a point, and the points drawn in view (for lists, labels and counts).
 */

const L = window.L;

let UpOneZoom = null;

/**
 * A Leaflet.VectorGrid layer of 512-pixel tiles. The grid of 512-pixel tiles at zoom z is the grid
 * of 256-pixel tiles at z - 1, which the server serves, so only the zoom in the address changes:
 * a quarter of the requests for the same view. Fires `tilecapped` ({key, capped}) for each tile.
 */
export function pointTiles(url, options) {
  if (!UpOneZoom) {
    UpOneZoom = L.VectorGrid.Protobuf.extend({
      _getVectorTilePromise(coords, tileBounds) {
        const up = L.point(coords.x, coords.y);
        up.z = coords.z - 1;
        const key = this._tileCoordsToKey(coords);
        // The library fetches with the global fetch and keeps only the body: wrap fetch for this
        // one synchronous call to read the header saying the server left features out.
        const fetchTile = window.fetch;
        window.fetch = (...args) => fetchTile(...args).then((response) => {
          this.fire('tilecapped', { key, capped: response.headers.get('X-Tile-Capped') === 'true' });
          return response;
        });
        try {
          return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, up, tileBounds);
        } finally {
          window.fetch = fetchTile;
        }
      },
    });
  }
  const layer = new UpOneZoom(url, { tileSize: 512, maxNativeZoom: 16, interactive: true, ...options });
  const capped = new Map();
  layer.on('tilecapped', (e) => capped.set(e.key, e.capped));
  layer.on('tileunload', (e) => capped.delete(layer._tileCoordsToKey(e.coords)));
  /** Whether any tile drawn now had features left out. */
  layer.pmCapped = () => [...capped.values()].some(Boolean);
  return layer;
}

/** A canvas tile renderer that draws points as squares (radius = half the side). */
export function squareTileRenderer(coords, size, options) {
  const renderer = L.canvas.tile(coords, size, options);
  renderer._updateCircle = function drawSquare(layer) {
    if (!this._drawing || layer._empty()) return;
    const p = layer._point;
    const r = Math.max(Math.round(layer._radius), 1);
    this._ctx.beginPath();
    this._ctx.rect(p.x - r, p.y - r, r * 2, r * 2);
    this._fillStroke(this._ctx, layer);
  };
  return renderer;
}

/** A tile's top-left corner in the world pixels of its zoom. */
function tileOrigin(renderer) {
  const coord = renderer.getCoord();
  return L.point(coord.x, coord.y).scaleBy(renderer._size);
}

/** The properties of the point drawn under the pointer by these tiles, or null. */
function pointAt(map, tiles, ev) {
  if (!tiles || !map.hasLayer(tiles)) return null;
  if (ev.target.closest('.leaflet-control, .leaflet-popup, .leaflet-tooltip')) return null;
  const latlng = map.mouseEventToLatLng(ev);
  // The test Leaflet.VectorGrid makes for its own clicks (each tile's canvas, its symbols), in the
  // tile's own pixels: at a fractional map zoom the tiles are drawn at the nearest whole zoom, scaled.
  for (const renderer of Object.values(tiles._vectorTiles || {})) {
    if (!renderer._map) continue;
    const local = map.project(latlng, renderer.getCoord().z).subtract(tileOrigin(renderer));
    for (const symbol of Object.values(renderer._layers || {})) {
      if (symbol._containsPoint && symbol._containsPoint(local)) return symbol.properties;
    }
  }
  return null;
}

/** The points these tiles draw in view, once each (by `idKey`), with their place as `latlng`. */
export function pointsInView(map, tiles, idKey) {
  const view = map.getBounds();
  const found = new Map();
  // Each tile's symbols are placed in its canvas, in the pixels of the tile's zoom.
  for (const renderer of Object.values(tiles._vectorTiles || {})) {
    if (!renderer._map) continue; // a tile not yet placed, or already gone
    const origin = tileOrigin(renderer);
    const zoom = renderer.getCoord().z;
    for (const symbol of Object.values(renderer._layers || {})) {
      if (!symbol._point || !symbol.properties) continue;
      const latlng = map.unproject(symbol._point.add(origin), zoom);
      if (view.contains(latlng)) found.set(symbol.properties[idKey], { ...symbol.properties, latlng });
    }
  }
  return [...found.values()];
}

/** Methods of the map that route clicks and hovers to the point layers, topmost first. */
export const pointLayerMethods = {
  /**
   * Add a point layer: {name, tiles, popup(props), tip(props), id}. The points' canvases let the
   * pointer through to the areas beneath; a click or hover is matched to a point here first, in
   * the capture phase, so a click on a point opens it and a click anywhere else reaches the area.
   */
  addPointLayer(entry) {
    if (!this.pointLayers) {
      this.pointLayers = [];
      this.container.addEventListener('click', (ev) => this.onPointClick(ev), true);
      this.container.addEventListener('mousemove', (ev) => this.onPointHover(ev), true);
    }
    this.pointLayers.push(entry);
    this.pointLayers.sort((a, b) => b.order - a.order);
  },

  /** The topmost point under the pointer: its layer entry and properties. */
  pointUnder(ev) {
    for (const entry of this.pointLayers) {
      const props = pointAt(this.map, entry.tiles, ev);
      if (props) return { entry, props };
    }
    return null;
  },

  /** A click on a point opens its popup there (and goes no further). */
  onPointClick(ev) {
    const hit = this.pointUnder(ev);
    if (!hit) return;
    ev.stopPropagation();
    this.openPoint(hit.entry, hit.props, this.map.mouseEventToLatLng(ev));
  },

  /** Open a point's popup at a place. */
  openPoint(entry, props, latlng) {
    L.popup({ maxWidth: 300 }).setLatLng(latlng).setContent(entry.popup(props)).openOn(this.map);
  },

  /** The hover name of the point under the pointer, and a pointer cursor over it. */
  onPointHover(ev) {
    const hit = this.pointUnder(ev);
    const id = hit ? `${hit.entry.name}:${hit.props[hit.entry.id]}` : null;
    if (id === (this.pointTip && this.pointTip.id)) return;
    if (this.pointTip) this.pointTip.tooltip.close();
    this.pointTip = hit && {
      id,
      tooltip: L.tooltip().setLatLng(this.map.mouseEventToLatLng(ev)).setContent(hit.entry.tip(hit.props)).openOn(this.map),
    };
    this.container.classList.toggle('pm-over-point', Boolean(hit));
  },
};
