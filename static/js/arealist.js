/**
 * "Local authorities on this map": the local authorities in view as a list of buttons, the
 * keyboard and screen-reader route to the area polygons. Choosing one outlines it, opens its popup
 * and moves focus into the popup (Escape closes it and returns focus to the button).
 */

/** Wire the list under the map to a PartnershipMap; returns the function that redraws it. */
export function wireAreaList(app) {
  const box = document.getElementById('map-areas');
  const list = document.getElementById('map-areas-list');
  const count = document.getElementById('map-areas-count');
  if (!box || !list) return () => {};

  const render = () => {
    const on = app.state.layers.includes('la') && app.map.hasLayer(app.layers.la);
    box.hidden = !on;
    if (!on) return;
    const view = app.map.getBounds();
    const areas = [];
    app.laLayer.eachLayer((layer) => {
      if (view.intersects(layer.getBounds())) areas.push(layer.feature.properties);
    });
    areas.sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    if (count) count.textContent = String(areas.length);
    if (!box.open) return;
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.code : null;
    // The popup gives focus back to the button that opened it: keep that pointing at the new one.
    const opener = app.opener && list.contains(app.opener) ? app.opener.dataset.code : null;
    list.replaceChildren(...areas.map((props) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link-button';
      b.dataset.code = props.code;
      b.textContent = app.areaTooltip(props);
      b.setAttribute('aria-pressed', String(app.state.sel === props.code));
      b.addEventListener('click', () => {
        app.opener = b;
        app.selectArea(props.code, null);
      });
      li.append(b);
      return li;
    }));
    if (focused) list.querySelector(`button[data-code="${CSS.escape(focused)}"]`)?.focus();
    if (opener) app.opener = list.querySelector(`button[data-code="${CSS.escape(opener)}"]`) || app.opener;
  };

  box.addEventListener('toggle', render);
  app.map.on('moveend', render);
  return render;
}
