/**
 * The schools layer: vector tiles (/tiles/schools/{z}/{x}/{y}.mvt) drawn on canvas from zoom 11,
 * opened by click, with hover names; the offline basemap reads the drawn schools for its labels.
 */

import { loadScript } from '../../lib/dom.js';
import { schoolPopup } from '../popups.js';
import { pointTiles, pointsInView } from './pointtiles.js';

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
    // Above the area shapes, under the trusts and markers; the pointer passes through (see
    // map/layers/pointtiles.js).
    this.map.createPane('pmSchools').style.zIndex = '430';
    this.schoolTiles = pointTiles('/tiles/schools/{z}/{x}/{y}.mvt', {
      pane: 'pmSchools',
      minZoom: SCHOOL_MIN_ZOOM,
      rendererFactory: L.canvas.tile,
      getFeatureId: (f) => f.properties.urn,
      vectorTileLayerStyles: { schools: (props) => ({ ...schoolStyle(props), fill: true }) },
    });
    this.addPointLayer({
      name: 'school',
      order: 1,
      id: 'urn',
      tiles: this.schoolTiles,
      popup: schoolPopup,
      tip: (school) => `${school.name}${school.phase ? ` (${school.phase})` : ''}`,
    });
    this.schoolTiles.on('tileerror', () => this.showProblem('Some schools did not load: try again shortly.'));
    // Once the tiles in view have arrived: how many schools are drawn, and their names.
    this.schoolTiles.on('load', () => {
      this.container.dataset.schools = String((this.schoolFeatures() || []).length);
      if (this.basemap) this.basemap.loadSchools(this.map.getZoom());
    });
    this.schoolLayer.addLayer(this.schoolTiles);
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
    return pointsInView(this.map, tiles, 'urn');
  },
};
