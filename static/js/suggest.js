/**
 * Search-box suggestions for every input[data-suggest] (the ARIA 1.2 combobox pattern).
 *
 * Typing asks GET {data-suggest}?q= (debounced) and lists the matches in a listbox; the arrow keys
 * move through them, Enter or a click goes to the chosen match's page, Escape closes the list.
 * Submitting without choosing goes where the search service points (a postcode's "near" page) or
 * to /search?q=, which redirects or lists the matches. Without JavaScript the form is a plain GET.
 *
 * Before leaving the page a cancelable `suggest:navigate` event ({url, query}) bubbles from the
 * input, so a page can handle a result in place (the home map shows a postcode without reloading).
 */

const DEBOUNCE_MS = 200;
const MIN_CHARS = 2;
const MAX_CACHED = 30;
const TYPE_LABELS = {
  area: 'Area',
  school: 'School',
  trust: 'Trust',
  partnership: 'Partnership',
  postcode: 'Postcode',
  outcode: 'Postcode district',
};

let instances = 0;

/** One enhanced search box. */
class Combobox {
  /** @param {HTMLInputElement} input */
  constructor(input) {
    this.input = input;
    this.form = input.form;
    this.endpoint = input.dataset.suggest || '/api/v1/search';
    this.cache = new Map();
    this.timer = 0;
    this.controller = null;
    this.options = [];
    this.active = -1;
    this.lastQuery = '';
    const n = ++instances;
    this.listbox = this.makeListbox(`suggest-list-${n}`);
    this.status = this.makeStatus();
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-expanded', 'false');
    this.input.setAttribute('aria-controls', this.listbox.id);
    this.bind();
  }

  /** The (initially hidden) listbox placed right after the input. */
  makeListbox(id) {
    const ul = document.createElement('ul');
    ul.id = id;
    ul.className = 'suggestions';
    ul.setAttribute('role', 'listbox');
    ul.setAttribute('aria-label', 'Search suggestions');
    ul.hidden = true;
    this.input.insertAdjacentElement('afterend', ul);
    return ul;
  }

  /** A polite live region that says how many suggestions there are. */
  makeStatus() {
    const span = document.createElement('span');
    span.className = 'visually-hidden';
    span.setAttribute('role', 'status');
    span.setAttribute('aria-live', 'polite');
    this.listbox.insertAdjacentElement('afterend', span);
    return span;
  }

  /** Wire the keyboard, pointer and form events. */
  bind() {
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.input.addEventListener('blur', () => window.setTimeout(() => this.close(), 150));
    this.input.addEventListener('focus', () => {
      if (this.options.length && this.input.value.trim() === this.lastQuery) this.open();
    });
    // mousedown would blur the input before the click lands; keep focus where it is.
    this.listbox.addEventListener('mousedown', (e) => e.preventDefault());
    this.listbox.addEventListener('click', (e) => {
      const li = /** @type {HTMLElement} */ (e.target).closest('[role="option"]');
      if (li) this.choose(Number(li.dataset.index));
    });
    if (this.form) this.form.addEventListener('submit', (e) => this.onSubmit(e));
  }

  /** Ask for suggestions once typing pauses. */
  schedule() {
    window.clearTimeout(this.timer);
    const q = this.input.value.trim();
    if (q.length < MIN_CHARS) {
      this.render(q, null);
      return;
    }
    this.timer = window.setTimeout(() => this.fetchAndRender(q), DEBOUNCE_MS);
  }

  /** The search service's answer for q, from the cache when asked before. */
  async lookup(q) {
    if (this.cache.has(q)) return this.cache.get(q);
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    const url = `${this.endpoint}?q=${encodeURIComponent(q)}`;
    const response = await fetch(url, { signal: this.controller.signal, headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`search answered ${response.status}`);
    const data = await response.json();
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value);
    this.cache.set(q, data);
    return data;
  }

  /** Fetch and show suggestions, ignoring answers to queries the user has typed past. */
  async fetchAndRender(q) {
    try {
      const data = await this.lookup(q);
      if (this.input.value.trim() === q) this.render(q, data);
    } catch (err) {
      if (err.name !== 'AbortError') this.render(q, null);
    }
  }

  /** Turn a search answer into option descriptions: {label, detail, url}. */
  optionsFor(q, data) {
    if (!data) return [];
    const options = [];
    if (data.redirect && data.redirect.startsWith('/near')) {
      const what = TYPE_LABELS[data.guess] || 'Place';
      options.push({ label: `Partnerships near ${data.query.toUpperCase()}`, detail: what, url: data.redirect });
    } else if (data.redirect) {
      options.push({ label: data.query, detail: TYPE_LABELS[data.guess] || 'Go to', url: data.redirect });
    }
    for (const hit of data.results || []) {
      const type = TYPE_LABELS[hit.type] || hit.type;
      options.push({ label: hit.name, detail: [type, hit.detail].filter(Boolean).join(' · '), url: hit.url });
    }
    if ((data.results || []).length > 1) {
      options.push({ label: `All matches for “${q}”`, detail: 'Search', url: `/search?q=${encodeURIComponent(q)}` });
    }
    return options;
  }

  /** Draw the listbox for a query's answer (or clear it). */
  render(q, data) {
    this.lastQuery = q;
    this.options = this.optionsFor(q, data);
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    this.listbox.replaceChildren(...this.options.map((o, i) => this.optionElement(o, i)));
    if (this.options.length && document.activeElement === this.input) {
      this.open();
      const n = this.options.length;
      this.status.textContent = `${n} suggestion${n === 1 ? '' : 's'}. Use the up and down arrow keys to choose, Enter to go.`;
    } else {
      this.close();
      this.status.textContent = data && q.length >= MIN_CHARS ? 'No suggestions. Press Enter to search.' : '';
    }
  }

  /** One <li role="option">. */
  optionElement(option, index) {
    const li = document.createElement('li');
    li.id = `${this.listbox.id}-${index}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.dataset.index = String(index);
    const label = document.createElement('span');
    label.className = 'suggestion__label';
    label.textContent = option.label;
    li.append(label);
    if (option.detail) {
      const detail = document.createElement('span');
      detail.className = 'kind';
      detail.textContent = option.detail;
      li.append(' ', detail);
    }
    return li;
  }

  /** Show the listbox. */
  open() {
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  /** Hide the listbox and forget the highlighted option. */
  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.highlight(-1);
  }

  /** Mark option i as the active descendant (-1: none). */
  highlight(i) {
    this.active = i;
    this.listbox.querySelectorAll('[role="option"]').forEach((li, j) => {
      li.setAttribute('aria-selected', j === i ? 'true' : 'false');
    });
    if (i < 0) {
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    const li = this.listbox.children[i];
    this.input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  /** Arrow keys move, Enter chooses, Escape closes. */
  onKeyDown(e) {
    const n = this.options.length;
    const isOpen = !this.listbox.hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!n) return;
      e.preventDefault();
      if (!isOpen) this.open();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      const next = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n;
      this.highlight(next);
    } else if (e.key === 'Enter' && isOpen && this.active >= 0) {
      e.preventDefault();
      this.choose(this.active);
    } else if (e.key === 'Escape' && isOpen) {
      e.preventDefault();
      this.close();
    } else if (e.key === 'Tab') {
      this.close();
    }
  }

  /** Go to the chosen option's page. */
  choose(index) {
    const option = this.options[index];
    if (!option) return;
    this.close();
    this.navigate(option.url);
  }

  /** Submitting without choosing: follow the service's redirect, else the search page. */
  async onSubmit(e) {
    const q = this.input.value.trim();
    if (!q) return; // the plain form shows the empty search page
    e.preventDefault();
    window.clearTimeout(this.timer);
    this.close();
    let data = null;
    try {
      data = await this.lookup(q);
    } catch {
      this.form.submit();
      return;
    }
    this.navigate(data.redirect || `/search?q=${encodeURIComponent(q)}`);
  }

  /** Leave for url unless a listener handles it on this page. */
  navigate(url) {
    const event = new CustomEvent('suggest:navigate', {
      bubbles: true,
      cancelable: true,
      detail: { url, query: this.input.value.trim() },
    });
    if (this.input.dispatchEvent(event)) window.location.assign(url);
  }
}

document.querySelectorAll('input[data-suggest]').forEach((input) => new Combobox(input));
