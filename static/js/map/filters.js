/**
 * The controls around the map: the layer checkboxes, the colour select and the share box above it,
 * and the filters form, which applies without a reload (it stays a plain GET form without JavaScript).
 */

const TYPING_DELAY_MS = 350;

/** Methods of the map for its toolbar and filters. */
export const filterMethods = {
  /** The layer checkboxes, the colour select and the share box above the map. */
  wireToolbar() {
    const toolbar = document.getElementById('map-toolbar');
    if (!toolbar) return;
    toolbar.hidden = false;
    const help = document.getElementById('map-help');
    if (help) help.hidden = false;
    toolbar.querySelectorAll('input[name="layer"]').forEach((box) => {
      box.addEventListener('change', () => this.setLayer(box.value, box.checked));
    });
    const select = document.getElementById('map-colour');
    if (select) {
      this.syncColourSelect();
      select.addEventListener('change', async () => {
        this.state.colour = select.value;
        if (select.value !== 'count' && !this.state.layers.includes('la')) await this.setLayer('la', true);
        await this.loadColours();
        this.writeUrl();
      });
    }
    toolbar.querySelectorAll('.map-share input, .map-share textarea').forEach((field) => {
      field.addEventListener('focus', () => field.select());
    });
    this.wireFormFilter();
  },

  /** Show the state's colour in the select (falling back to counts for an unknown code). */
  syncColourSelect() {
    const select = document.getElementById('map-colour');
    if (!select) return;
    const known = [...select.options].some((o) => o.value === this.state.colour);
    if (!known) this.state.colour = 'count';
    select.value = this.state.colour;
  },

  /** Apply the filters form without a reload (it stays a plain GET form without JavaScript). */
  wireFilters() {
    if (!this.form) return;
    let timer = 0;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      window.clearTimeout(timer);
      this.applyFilters();
    });
    this.form.addEventListener('change', (e) => {
      if (e.target.name === 'q') return;
      this.applyFilters();
    });
    this.form.addEventListener('input', (e) => {
      if (e.target.name !== 'q') return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => this.applyFilters(), TYPING_DELAY_MS);
    });
    const clear = this.form.querySelector('a[href="/"]');
    if (clear) {
      clear.addEventListener('click', (e) => {
        e.preventDefault();
        this.clearFilters();
      });
    }
  },

  /** Copy the filters form into the state. */
  readForm() {
    const data = new FormData(this.form);
    this.state.theme = data.getAll('theme').map(String);
    this.state.kind = data.getAll('kind').map(String);
    this.state.national = data.has('national');
    this.state.trust = data.has('trust');
    this.state.q = String(data.get('q') || '').trim();
    this.state.area = String(data.get('area') || '').trim().toUpperCase();
  },

  /** Read the form into the state and reload what depends on it. */
  async applyFilters() {
    this.readForm();
    this.updateFilterSummary();
    this.writeUrl();
    await Promise.all([this.loadPartnerships(), this.loadColours()]);
  },

  /** Untick every filter, forget the area and reload. */
  async clearFilters() {
    this.form.querySelectorAll('input[type="checkbox"]').forEach((box) => { box.checked = false; });
    const q = this.form.querySelector('input[name="q"]');
    if (q) q.value = '';
    this.setAreaInput('');
    await this.applyFilters();
  },

  /** "Filters (3 chosen)" on the folding summary. */
  updateFilterSummary() {
    const summary = this.form && this.form.querySelector('details > summary');
    if (!summary) return;
    const n = this.state.theme.length + this.state.kind.length;
    summary.textContent = n ? `Filters (${n} chosen)` : 'Filters';
  },

  /** The hidden area field of the form. */
  setAreaInput(code) {
    if (!this.form) return;
    let input = this.form.querySelector('input[name="area"]');
    if (!code) {
      if (input) input.remove();
      return;
    }
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'area';
      this.form.prepend(input);
    }
    input.value = code;
  },

  /** List only the partnerships serving an area ('' for all). */
  async setArea(code) {
    this.state.area = code;
    this.setAreaInput(code);
    this.writeUrl();
    await this.loadPartnerships();
    const popup = this.areaPopupRef;
    if (!popup || !popup.isOpen()) return;
    const hadFocus = popup.getElement().contains(document.activeElement);
    popup.update();
    if (hadFocus) popup.getElement().querySelector('.popup__actions button')?.focus();
  },

  /** Tick "show national programmes" and reload. */
  async showNational() {
    const box = this.form && this.form.querySelector('input[name="national"]');
    if (box) box.checked = true;
    await this.applyFilters();
  },

  /** Empty the name search and reload. */
  async clearName() {
    const q = this.form && this.form.querySelector('input[name="q"]');
    if (q) q.value = '';
    await this.applyFilters();
  },
};
