/**
 * The map's state in the address: the view, layers, filters and selection read from a query string
 * and written back (history.replaceState) with the parameter names the server understands (theme,
 * kind, national, trust, q, area) plus the map's own: lat, lon, z, layers, colour, sel (selected
 * area), p (open partnership), pc (postcode pin), inview (list only what the map shows), form.
 */

export const LAYER_NAMES = ['la', 'ca', 'partnerships', 'schools', 'trusts'];
const DEFAULT_LAYERS = ['la', 'partnerships'];
/** How far the map may be panned: England and some sea around it. */
export const MAX_BOUNDS = [[46, -20], [60, 14]];

/** The view, layers, filters and selection held in a query string. */
export function readState(search) {
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
export function apiFilters(state, { area = true, q = true } = {}) {
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

/** Methods of the map that keep the address in step with it. */
export const urlMethods = {
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
  },
};
