/**
 * The academy trusts layer: each open multi- or single-academy trust's head office as a square,
 * drawn on canvas from vector tiles (/tiles/trusts/{z}/{x}/{y}.mvt) like the schools, opened by
 * click, named on hover. Keyboard and screen-reader users reach the same trusts through
 * "Academy trusts on this map" (map/trustlist.js). When a tile had to leave trusts out, the key
 * and the list say so.
 */

import { loadScript } from '../../lib/dom.js';
import { plural } from '../../lib/format.js';
import { trustKind, trustPopup } from '../popups.js';
import { pointTiles, pointsInView, squareTileRenderer } from './pointtiles.js';

const L = window.L;

/** Said under the legend and the trusts list when a tile left some trusts out. */
export const TRUSTS_CAPPED_NOTE = 'Not every trust here is drawn at this zoom: zoom in to see them all.';

/** A trust's name for the hover text and the list: name, kind and size. */
export function trustTitle(props) {
  return `${props.name} (${trustKind(props)}, ${plural(props.school_count || 0, 'school')})`;
}

/** A trust's square: small dots at national zooms, where about 2,000 share the view; larger closer in. */
function trustStyle(zoom) {
  const national = zoom < 8;
  return {
    radius: national ? 2 : zoom < 11 ? 3 : 5,
    color: national ? '#ffffff' : '#0b0c0c',
    weight: national ? 0.5 : 1,
    fill: true,
    fillColor: '#a3155f',
    fillOpacity: 1,
  };
}

/** Methods of the map for the trusts layer. */
export const trustMethods = {
  /** The trusts' tiles, the first time the layer is on (the tile library loads then too). */
  async loadTrusts() {
    if (!this.state.layers.includes('trusts') || this.trustTiles) return;
    try {
      await loadScript(this.container.dataset.vectorgridSrc);
    } catch (err) {
      this.showProblem(`The academy trusts did not load: ${err.message}`);
      return;
    }
    if (this.trustTiles) return;
    this.trustTiles = pointTiles('/tiles/trusts/{z}/{x}/{y}.mvt', {
      pane: 'pmTrusts',
      rendererFactory: squareTileRenderer,
      getFeatureId: (f) => f.properties.uid,
      vectorTileLayerStyles: { trusts: (_props, zoom) => trustStyle(zoom) },
    });
    this.trustEntry = {
      name: 'trust',
      order: 2, // drawn above the schools
      id: 'uid',
      tiles: this.trustTiles,
      popup: trustPopup,
      tip: trustTitle,
    };
    this.addPointLayer(this.trustEntry);
    this.trustTiles.on('tileerror', () => this.showProblem('Some academy trusts did not load: try again shortly.'));
    // Once the tiles in view have arrived: how many trusts are drawn, the list and the key.
    this.trustTiles.on('load', () => this.trustsDrawn());
    // A move that needs no new tile (or only a pan within those loaded) changes what is in view.
    this.map.on('moveend', () => { if (this.map.hasLayer(this.trustTiles)) this.trustsDrawn(); });
    this.trustLayer.addLayer(this.trustTiles);
  },

  /** After the trusts in view are drawn: their count on the map element, the list, the key. */
  trustsDrawn() {
    this.container.dataset.trusts = String(this.trustFeatures().length);
    this.container.dataset.trustsCapped = String(this.trustsCapped());
    this.renderTrustList();
    this.updateLegend();
  },

  /** The trusts drawn in view, with their place; empty when the layer is off or loading. */
  trustFeatures() {
    const tiles = this.trustTiles;
    if (!tiles || !this.map.hasLayer(tiles)) return [];
    return pointsInView(this.map, tiles, 'uid');
  },

  /** Whether a tile in view had more trusts than it may hold (zoom in to see them all). */
  trustsCapped() {
    return Boolean(this.trustTiles && this.map.hasLayer(this.trustTiles) && this.trustTiles.pmCapped());
  },

  /** Open a trust's popup at its head office (from the list). */
  openTrust(props) {
    this.openPoint(this.trustEntry, props, props.latlng);
  },
};
