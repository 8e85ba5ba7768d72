// Progressive enhancement for the suggestion forms; every form works without it.
// - moves focus to the error summary, so screen-reader users hear what went wrong;
// - adds a search box that filters the long list of areas;
// - adds member rows in place instead of reloading the page.

const summary = document.querySelector('[data-error-summary]');
if (summary) {
  summary.focus();
}

function setUpAreaFilter(form) {
  const box = form.querySelector('[data-area-filter]');
  const list = form.querySelector('#area-list');
  if (!box || !list) return;
  const input = box.querySelector('input');
  const count = box.querySelector('#area-search-count');
  const labels = Array.from(list.querySelectorAll('label[data-name]'));
  box.hidden = false;
  input.addEventListener('input', () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const label of labels) {
      const text = label.dataset.name;
      const checked = label.querySelector('input').checked;
      const match = checked || words.every((w) => text.includes(w));
      label.hidden = !match;
      if (match) shown += 1;
    }
    for (const group of list.querySelectorAll('fieldset.area-group')) {
      group.hidden = !group.querySelector('label[data-name]:not([hidden])');
    }
    count.textContent = words.length ? `${shown} areas shown (ticked areas always stay shown)` : '';
  });
  // Enter in the search box should not send the form.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.preventDefault();
  });
}

function setUpMemberRows(form) {
  const button = form.querySelector('[data-add-member]');
  const rows = form.querySelector('[data-member-rows]');
  const template = document.getElementById('member-row-template');
  if (!button || !rows || !template) return;
  button.textContent = 'Add another member';
  button.addEventListener('click', (event) => {
    event.preventDefault();
    const next = rows.querySelectorAll('[data-member-row]').length;
    const html = template.innerHTML
      .replaceAll('__i__', String(next))
      .replaceAll('__n__', String(next + 1));
    const holder = document.createElement('div');
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    rows.appendChild(row);
    row.querySelector('select, input')?.focus();
  });
}

for (const form of document.querySelectorAll('form.suggest-form')) {
  setUpAreaFilter(form);
  setUpMemberRows(form);
}
