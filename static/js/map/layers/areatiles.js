/**
 * Local authorities as vector tiles (/tiles/local_authority/{z}/{x}/{y}.mvt) from zoom 8, where the
 * national GeoJSON layer (band 6, fetched once) is too coarse and the finer GeoJSON bands would
 * weigh 95–160 KB. Tiles bring only the LAs in view, generalised for the tile's zoom, and are
 * cached per data version. They are drawn as SVG paths with the same fills, selected outline,
 * hover text and click as the GeoJSON polygons; the names, counts and bounds that labels, popups
 * and the list of areas need still come from the national layer.
 */

import { loadScript } from '../../lib/dom.js';

const L = window.L;

/** From this zoom the LAs are drawn from tiles; below it from the national GeoJSON layer. */
const LA_TILE_MIN_ZOOM = 8;
const TILE_MAX_NATIVE_ZOOM = 16; // the server's deepest tiles; Leaflet scales them beyond
const FIRST_DRAW_WAIT_MS = 15000;

/** Resolves when a tile layer has loaded the tiles in view (or after a while, whatever happens). */
function tilesLoaded(layer) {
  return new Promise((resolve) => {
    layer.once('load', resolve);
    window.setTimeout(resolve, FIRST_DRAW_WAIT_MS);
  });
}

/** Methods of the map for the LA vector tiles. */
export const areaTileMethods = {
  /** The LA tile layer, made once; the vector-tile library is loaded the first time it is needed. */
  areaTiles() {
    if (!this.areaTilesMade) {
      this.areaTilesMade = loadScript(this.container.dataset.vectorgridSrc).then(() => this.makeAreaTiles());
      this.areaTilesMade.catch(() => { this.areaTilesMade = null; });
    }
    return this.areaTilesMade;
  },

  /** The tile layer: SVG paths in the overlay pane, like the GeoJSON polygons it stands in for. */
  makeAreaTiles() {
    const tiles = L.vectorGrid.protobuf('/tiles/local_authority/{z}/{x}/{y}.mvt', {
      pane: 'overlayPane',
      rendererFactory: L.svg.tile,
      interactive: true,
      maxNativeZoom: TILE_MAX_NATIVE_ZOOM,
      getFeatureId: (f) => f.properties.code,
      vectorTileLayerStyles: { local_authority: (props) => this.areaTileStyle(props) },
    });
    tiles.on('tileload', (e) => this.markAreaTile(tiles._vectorTiles[tiles._tileCoordsToKey(e.coords)]));
    tiles.on('click', (e) => {
      L.DomEvent.stopPropagation(e); // the map's own click says "no local authority here"
      this.hideAreaTip();
      this.selectArea(e.layer.properties.code, e.latlng);
    });
    tiles.on('mouseover', (e) => this.showAreaTip(e));
    tiles.on('mousemove', (e) => { if (this.areaTip) this.areaTip.setLatLng(e.latlng); });
    tiles.on('mouseout', () => this.hideAreaTip());
    tiles.on('tileerror', () => this.showProblem('Some local authority boundaries did not load: try again shortly.'));
    this.laTiles = tiles;
    return tiles;
  },

  /** An LA's style in the tiles: the GeoJSON polygon's, filled. */
  areaTileStyle(props) {
    return { ...this.areaStyle({ properties: props }), fill: true };
  },

  /** Draw the LAs from tiles or from the national layer, as the zoom asks; resolves once drawn. */
  async showAreaDrawing() {
    const wantTiles = this.map.getZoom() >= LA_TILE_MIN_ZOOM;
    let layer = this.laLayer;
    if (wantTiles) {
      try {
        layer = await this.areaTiles();
      } catch (err) {
        this.showProblem(`The boundaries at this zoom did not load: ${err.message}`);
      }
    }
    if (this.laGroup.hasLayer(layer)) return;
    if ((this.map.getZoom() >= LA_TILE_MIN_ZOOM) !== wantTiles) return; // zoomed again meanwhile
    const drawn = layer === this.laTiles && this.map.hasLayer(this.laGroup) ? tilesLoaded(layer) : null;
    this.hideAreaTip();
    this.laGroup.clearLayers();
    this.laGroup.addLayer(layer);
    if (drawn) await drawn;
  },

  /** Name a tile's paths by LA code (as the GeoJSON paths are) and keep the selected one on top. */
  markAreaTile(renderer) {
    if (!renderer) return;
    for (const { feature } of Object.values(renderer._features || {})) {
      const path = feature._path;
      if (!path) continue;
      path.dataset.code = feature.properties.code;
      if (feature.properties.code === this.state.sel) path.parentNode.append(path);
    }
  },

  /** Restyle the LAs in the tiles drawn so far (tiles drawn later take the style as they come). */
  restyleAreaTiles() {
    const tiles = this.laTiles;
    if (!tiles) return;
    for (const renderer of Object.values(tiles._vectorTiles || {})) {
      for (const { feature } of Object.values(renderer._features || {})) {
        tiles._updateStyles(feature, renderer, this.areaTileStyle(feature.properties));
      }
      this.markAreaTile(renderer);
    }
  },

  /** The hover text of the LA under the pointer (what the GeoJSON polygons' tooltips say). */
  showAreaTip(e) {
    const { code } = e.layer.properties;
    const national = this.areaLayers.get(code);
    const props = national ? national.feature.properties : e.layer.properties;
    this.hideAreaTip();
    this.areaTip = L.tooltip({ direction: 'top', offset: [0, -8] })
      .setLatLng(e.latlng)
      .setContent(this.areaTooltip(props))
      .openOn(this.map);
  },

  /** Close the hover text. */
  hideAreaTip() {
    if (this.areaTip) this.areaTip.close();
    this.areaTip = null;
  },
};
