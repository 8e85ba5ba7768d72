/**
 * Wide tables on narrow screens: each table in <main> sits in a .table-scroll box, and a box whose
 * table is wider than it becomes a focusable, labelled region (role=region, tabindex=0, named from
 * the table's caption or the heading before it) so keyboard users can scroll it with the arrow keys.
 */

/** The words that name a table: its caption, else the nearest heading before it. */
function tableName(table) {
  const caption = table.querySelector('caption');
  if (caption && caption.textContent.trim()) return caption.textContent.trim().replace(/\s+/g, ' ');
  for (let node = table.parentElement; node && node !== document.body; node = node.parentElement) {
    for (let prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
      if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim().replace(/\s+/g, ' ');
    }
  }
  return 'Table';
}

/** Wrap every table that is not already in a scrolling box. */
function wrapTables(root) {
  const boxes = [];
  root.querySelectorAll('main table').forEach((table) => {
    let box = table.parentElement;
    if (!box.classList.contains('table-scroll')) {
      box = document.createElement('div');
      box.className = 'table-scroll';
      table.before(box);
      box.append(table);
    }
    boxes.push([box, table]);
  });
  return boxes;
}

/** Make the boxes that scroll reachable from the keyboard, and the others not. */
function markScrollable(boxes) {
  for (const [box, table] of boxes) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', `${tableName(table)} (scrolls sideways)`);
    } else if (box.getAttribute('role') === 'region' && box.dataset.fixed !== '1') {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  }
}

const boxes = wrapTables(document);
markScrollable(boxes);
let pending = 0;
window.addEventListener('resize', () => {
  window.cancelAnimationFrame(pending);
  pending = window.requestAnimationFrame(() => markScrollable(boxes));
});
