/**
 * Element helpers for the map's scripts: build elements and buttons, escape text for the few
 * places Leaflet takes HTML, and load a classic (non-module) script once.
 */

/** An element with a class and text (or child nodes). */
export function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A link element. */
export function link(href, text, className) {
  const a = el('a', className, text);
  a.href = href;
  return a;
}

/** A non-submitting button that runs onClick. */
export function button(text, onClick, className = 'link-button') {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** A coloured legend square. */
export function swatch(colour) {
  const span = el('span', 'pm-swatch');
  span.style.background = colour;
  return span;
}

/** Escape text for the few places Leaflet takes HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const loadedScripts = new Map();

/** Load a classic script once (a library that adds itself to L); resolves when it has run. */
export function loadScript(src) {
  if (!loadedScripts.has(src)) {
    loadedScripts.set(src, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => {
        loadedScripts.delete(src);
        reject(new Error('the map library did not load'));
      };
      document.head.append(script);
    }));
  }
  return loadedScripts.get(src);
}

/** JSON embedded in the page by the server (a `<script type="application/json">`), or null. */
export function pageData(id) {
  const node = document.getElementById(id);
  if (!node) return null;
  try {
    return JSON.parse(node.textContent);
  } catch {
    return null;
  }
}
