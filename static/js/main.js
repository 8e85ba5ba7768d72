/**
 * The home-page map and the embeddable map (/embed), on top of the server-rendered page.
 *
 * Layers: local authorities coloured by partnership count (or by an indicator, coverage or the
 * council's role), combined authorities (mayoral ones marked), partnerships as clustered markers,
 * schools at close zoom and academy trusts' head offices (off unless asked for) from vector tiles. The list
 * (#partnership-list) is drawn from the same GeoJSON as the markers, the filters form (#filters)
 * applies without a reload, and the address keeps the whole view (map/state.js).
 *
 * This module only wires the parts: map/app.js holds the map, and each other map/ module adds the
 * methods of one concern (a layer, the key, the list, the filters, search, popups) to it.
 */

import { PartnershipMap } from './map/app.js';
import { colourMethods } from './map/colours.js';
import { filterMethods } from './map/filters.js';
import { landscapeMethods } from './map/landscape.js';
import { areaMethods } from './map/layers/areas.js';
import { areaTileMethods } from './map/layers/areatiles.js';
import { partnershipMethods } from './map/layers/partnerships.js';
import { schoolMethods } from './map/layers/schools.js';
import { pointLayerMethods } from './map/layers/pointtiles.js';
import { trustMethods } from './map/layers/trusts.js';
import { legendMethods } from './map/legend.js';
import { listMethods } from './map/list.js';
import { popupMethods } from './map/popups.js';
import { searchMethods } from './map/search.js';
import { trustListMethods } from './map/trustlist.js';
import { urlMethods } from './map/state.js';

Object.assign(
  PartnershipMap.prototype,
  urlMethods,
  areaMethods,
  areaTileMethods,
  colourMethods,
  landscapeMethods,
  partnershipMethods,
  schoolMethods,
  trustMethods,
  trustListMethods,
  pointLayerMethods,
  popupMethods,
  legendMethods,
  filterMethods,
  listMethods,
  searchMethods,
);

const container = document.getElementById('map');
if (container && window.L && window.L.markerClusterGroup) {
  const app = new PartnershipMap(container);
  app.start().catch((err) => app.showProblem(`The map could not start: ${err.message}`));
}
