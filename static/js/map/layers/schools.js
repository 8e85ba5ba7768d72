/**
 * The schools layer: vector tiles (/tiles/schools/{z}/{x}/{y}.mvt) drawn on canvas from zoom 11,
 * opened by click, with hover names; the offline basemap reads the drawn schools for its labels.
 */

import { loadScript } from '../../lib/dom.js';
import { schoolPopup } from '../popups.js';

const L = window.L;

export const SCHOOL_MIN_ZOOM = 11;

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

/** Methods of the map for the schools layer. */
export const schoolMethods = {
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
      if (this.schoolTip) this.schoolTip.tooltip.close();
      this.schoolTip = school && {
        urn: school.urn,
        tooltip: L.tooltip()
          .setLatLng(this.map.mouseEventToLatLng(ev))
          .setContent(`${school.name}${school.phase ? ` (${school.phase})` : ''}`)
          .openOn(this.map),
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
  },

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
  },

  /** Where the school circles in view are (place names keep clear of them). */
  schoolPoints() {
    return (this.schoolFeatures() || []).map((s) => s.latlng);
  },

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
  },
};
