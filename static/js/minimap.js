/**
 * Small maps on the area, partnership, school, trust and near pages.
 *
 * Contract (one element per map):
 *   <div class="mini-map"
 *        data-geojson="URL"        GeoJSON (Feature or FeatureCollection): areas drawn as outlines,
 *                                  points as markers; may be empty
 *        data-points="URL"         optional: more GeoJSON points drawn smaller and greyer (e.g. schools nearby)
 *        data-center="lat,lon"     optional: the place the page is about, marked and framed with the points
 *        data-context="URL"        optional: boundaries drawn faintly for orientation (not framed), e.g.
 *                                  /api/v1/areas?level=local_authority&zoom=8 around a trust's schools
 *        data-tile-url="…"         optional basemap ({z}/{x}/{y} template) and its data-tile-attribution;
 *                                  without one, the offline basemap (labels.js): land, coast, place names
 *        role="img" aria-label="…"> role="img" gives a still picture (no focusable parts inside);
 *                                  any other role gives zoom buttons, tooltips and links in popups.
 * Leaflet must be loaded first (static/vendor/leaflet); if it is not, this module loads it.
 */

import { OfflineBasemap } from './labels.js';

const AREA_STYLE = { color: '#1d4f91', weight: 2, fillColor: '#1d4f91', fillOpacity: 0.12 };
const POINT_STYLE = { radius: 6, color: '#ffffff', weight: 1.5, fillColor: '#1d4f91', fillOpacity: 1 };
const EXTRA_POINT_STYLE = { radius: 4, color: '#ffffff', weight: 1, fillColor: '#505a5f', fillOpacity: 0.9 };
const CONTEXT_STYLE = { color: '#6f777b', weight: 1, fill: false, interactive: false };
const CENTRE_STYLE = { radius: 9, color: '#0b0c0c', weight: 3, fillColor: '#ffdd00', fillOpacity: 1 };
const SINGLE_POINT_ZOOM = 13;
const VENDOR = new URL('../vendor/leaflet/', import.meta.url);

/** Leaflet, loading it (script and stylesheet) when the page has not. */
async function leaflet() {
  if (window.L) return window.L;
  if (!document.querySelector('link[href*="leaflet.css"]')) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('leaflet.css', VENDOR).href;
    document.head.append(link);
  }
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('leaflet.js', VENDOR).href;
    script.onload = resolve;
    script.onerror = () => reject(new Error('Leaflet did not load'));
    document.head.append(script);
  });
  return window.L;
}

/** GeoJSON from url, or null when there is none (empty body, error). */
async function fetchGeoJSON(url) {
  if (!url) return null;
  try {
    const response = await fetch(url, { headers: { Accept: 'application/geo+json, application/json' } });
    if (!response.ok) return null;
    const text = await response.text();
    return text.trim() ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** "lat,lon" -> [lat, lon], or null. */
function parseCentre(value) {
  if (!value) return null;
  const parts = value.split(',').map(Number);
  return parts.length === 2 && parts.every(Number.isFinite) ? parts : null;
}

/** Where a feature links to: its url, or a school or trust page from its identifiers. */
function featureUrl(props) {
  if (props.url) return props.url;
  if (props.urn) return `/schools/${props.urn}`;
  if (props.uid) return `/trusts/${props.uid}`;
  if (props.code) return `/areas/${props.code}`;
  return null;
}

/** A popup body: the feature's name, linked to its page when it has one. */
function popupContent(props) {
  const name = props.name || props.label || 'Unnamed';
  const url = featureUrl(props);
  const wrapper = document.createElement('div');
  const title = document.createElement(url ? 'a' : 'strong');
  title.textContent = name;
  if (url) title.href = url;
  wrapper.append(title);
  const detail = [props.phase, props.kind_label, props.detail].filter(Boolean).join(' · ');
  if (detail) {
    const p = document.createElement('div');
    p.textContent = detail;
    wrapper.append(p);
  }
  return wrapper;
}

/** A GeoJSON layer: outlines for areas, circle markers for points. */
function geoLayer(L, data, pointStyle, interactive) {
  return L.geoJSON(data, {
    // GeoJSON applies `style` to point markers too: keep theirs.
    style: (feature) => (feature.geometry.type.endsWith('Point') ? {} : { ...AREA_STYLE, interactive }),
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...pointStyle, interactive }),
    onEachFeature: (feature, layer) => {
      const props = feature.properties || {};
      if (!interactive || !(props.name || props.label)) return;
      layer.bindTooltip(props.name || props.label);
      layer.bindPopup(() => popupContent(props));
    },
  });
}

/** Frame the map: the centre and the points around it, or everything drawn. */
function frame(map, L, layers, centre) {
  const [main, extra] = layers;
  let bounds = L.latLngBounds([]);
  if (centre) {
    bounds.extend(centre);
    if (extra) bounds.extend(extra.getBounds());
  } else {
    for (const layer of layers) if (layer) bounds.extend(layer.getBounds());
  }
  if (!bounds.isValid() && main) bounds = main.getBounds();
  if (!bounds.isValid()) return false;
  if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
    map.setView(bounds.getCenter(), SINGLE_POINT_ZOOM);
  } else {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
  }
  return true;
}

/** Say in the element that there is nothing to draw. */
function showEmpty(element) {
  element.classList.add('mini-map--empty');
  const p = document.createElement('p');
  p.className = 'mini-map__empty';
  p.textContent = 'No map to show for this page.';
  element.replaceChildren(p);
}

/** A visible basemap attribution under the map (the still map has no attribution control). */
function addAttribution(element, html) {
  const p = document.createElement('p');
  p.className = 'mini-map__attribution source';
  p.innerHTML = html; // a site setting, like Leaflet's own attribution control
  element.insertAdjacentElement('afterend', p);
}

/** Areas at the back, the page's own points in front of the extra points. */
function stack(L, main) {
  if (!main) return;
  main.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker) layer.bringToFront();
    else if (layer instanceof L.Path) layer.bringToBack();
  });
}

/** Draw one mini map. */
async function drawMiniMap(element) {
  const L = await leaflet();
  const still = element.getAttribute('role') === 'img';
  if (!element.getAttribute('role')) element.setAttribute('role', 'region');
  if (!element.getAttribute('aria-label')) element.setAttribute('aria-label', 'Map');
  const tileUrl = element.dataset.tileUrl || document.body.dataset.tileUrl || '';
  const tileAttribution = element.dataset.tileAttribution || document.body.dataset.tileAttribution || '';
  const map = L.map(element, {
    zoomControl: !still,
    attributionControl: !still,
    keyboard: !still,
    scrollWheelZoom: false,
    zoomSnap: 0.25,
  });
  if (still) map.getContainer().removeAttribute('tabindex');
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: tileAttribution, maxZoom: 18 }).addTo(map);
    if (still && tileAttribution) addAttribution(element, tileAttribution);
  }
  const [data, points, context] = await Promise.all([
    fetchGeoJSON(element.dataset.geojson),
    fetchGeoJSON(element.dataset.points),
    fetchGeoJSON(element.dataset.context),
  ]);
  const centre = parseCentre(element.dataset.center);
  const main = data ? geoLayer(L, data, POINT_STYLE, !still) : null;
  const extra = points ? geoLayer(L, points, EXTRA_POINT_STYLE, !still) : null;
  // The view must exist before vector layers are added (their renderer clips to it).
  if (!frame(map, L, [main, extra], centre)) {
    map.remove();
    showEmpty(element);
    return;
  }
  if (context) L.geoJSON(context, { style: () => CONTEXT_STYLE, pointToLayer: () => null }).addTo(map);
  for (const layer of [main, extra]) if (layer) layer.addTo(map);
  stack(L, main);
  if (centre) L.circleMarker(centre, { ...CENTRE_STYLE, interactive: false }).addTo(map);
  if (!tileUrl) {
    // Without a basemap: land, coast and place names, kept clear of this map's own points.
    const dots = [];
    for (const layer of [main, extra]) {
      if (layer) layer.eachLayer((l) => { if (l.getLatLng) dots.push(l.getLatLng()); });
    }
    if (centre) dots.push(L.latLng(centre));
    new OfflineBasemap(map, { schoolPoints: () => dots, schoolLabelZoom: 12 }).addTo();
  }
}

document.querySelectorAll('.mini-map').forEach((element) => {
  drawMiniMap(element).catch((err) => {
    console.error(err);
    showEmpty(element);
  });
});
