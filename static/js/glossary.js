/**
 * Abbreviations spelt out on first use: the first time a page's main content uses a term from the
 * glossary (app/glossary.py, sent in #glossary-terms), it becomes an <abbr> with the meaning as a
 * tooltip, followed by the meaning in brackets, so every reader gets it without hovering (the
 * best-known names, such as DfE, keep the tooltip only). Terms
 * already spelt out (inside an <abbr>) and the about page's glossary itself are left alone.
 */

const source = document.getElementById('glossary-terms');
const main = document.getElementById('main');

/** Wrap the first use of each term in the text under root. */
function spellOut(root, terms, tooltipOnly) {
  const pending = new Map(Object.entries(terms));
  const pattern = new RegExp(`\\b(${[...pending.keys()].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const parent = node.parentElement;
      if (!parent || parent.closest('abbr, script, style, textarea, select, option, code, .glossary, .visually-hidden, [aria-hidden="true"], .leaflet-container')) {
        return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    if (!pending.size) break;
    let text = node;
    for (;;) {
      const match = pattern.exec(text.data);
      if (!match) break;
      const term = match[1];
      if (!pending.has(term)) {
        // Used before: look further along this text.
        const rest = text.splitText(match.index + term.length);
        text = rest;
        continue;
      }
      const meaning = pending.get(term);
      pending.delete(term);
      const after = text.splitText(match.index);
      const rest = after.splitText(term.length);
      const abbr = document.createElement('abbr');
      abbr.title = meaning;
      abbr.textContent = term;
      after.replaceWith(abbr);
      if (!tooltipOnly.has(term)) abbr.after(` (${meaning})`);
      text = rest;
    }
  }
}

if (source && main) {
  try {
    const { terms, tooltip_only: tooltipOnly } = JSON.parse(source.textContent);
    spellOut(main, terms, new Set(tooltipOnly));
  } catch {
    // A page without the glossary still reads; nothing to do.
  }
}
