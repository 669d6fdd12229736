// Pixel Market's debug panel, loaded when the page's URL has `?precis-debug` (the demo
// server adds this script then). It shows what Precis knows and decided on this page:
// the visitor's interest profile, where the model runs, each slot's decision with its
// reasons, and the metrics of both arms of the experiment.
//
// A plain script, no framework: it talks to Precis through the `window.precis` command
// queue like any site code, and builds everything with DOM APIs and textContent (never
// innerHTML), so it works under a strict CSP with Trusted Types enforced.
(() => {
  const PARAM = 'precis-debug';
  const COLLAPSED_KEY = 'precis-debug:collapsed';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const THROTTLE_MS = 250;
  const MAX_CATEGORIES = 6;
  const MAX_REASONS = 4;
  const MAX_EVENTS = 3;

  if (document.querySelector('.precis-debug')) return; // loaded twice

  // --- Small DOM helpers: text only goes through text nodes.

  /** An element with a class and children (strings become text nodes). */
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
    }
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const percent = (value, digits = 1) => `${(value * 100).toFixed(digits)}%`;
  const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

  function ago(time) {
    const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  }

  /** A key/value grid: [['Backend', 'webgl'], …]. */
  function facts(rows) {
    const list = el('dl', 'precis-debug__facts');
    for (const [key, value, className] of rows) {
      list.append(el('dt', '', key), el('dd', className || '', value));
    }
    return list;
  }

  const chip = (text, className = '') => el('span', `precis-debug__chip ${className}`.trim(), text);
  const muted = (text) => el('p', 'precis-debug__muted', text);

  // --- Keep `?precis-debug` across the demo's own links, so a tester can browse with the panel.

  function withParam(href) {
    let url;
    try {
      url = new URL(href, location.href);
    } catch {
      return null;
    }
    if (url.origin !== location.origin || !/^https?:$/.test(url.protocol) || url.searchParams.has(PARAM)) return null;
    url.search = url.search ? `${url.search}&${PARAM}` : `?${PARAM}`;
    return url.href;
  }

  const keepParam = (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.closest('.precis-debug') || link.hasAttribute('download')) return;
    const href = withParam(link.getAttribute('href'));
    if (href) link.setAttribute('href', href);
  };
  // Capture phase: the link is rewritten before the browser follows it.
  document.addEventListener('click', keepParam, true);
  document.addEventListener('auxclick', keepParam, true);

  function urlWithout() {
    const url = new URL(location.href);
    url.searchParams.delete(PARAM);
    return url.href;
  }

  // --- The panel's frame.

  const state = {
    api: null,
    collapsed: readCollapsed(),
    dirty: true,
    errors: 0,
    lastError: null,
    /** The last decision rendered per slot name, for slots that kept their default. */
    decisions: new Map(),
    updatedAt: null,
  };

  function readCollapsed() {
    try {
      return sessionStorage.getItem(COLLAPSED_KEY) === '1';
    } catch {
      return false;
    }
  }

  const title = el('strong', 'precis-debug__title', 'Precis debug');
  const updated = el('span', 'precis-debug__updated', 'waiting for Precis…');
  const toggle = el('button', 'precis-debug__button');
  toggle.type = 'button';
  const exit = el('a', 'precis-debug__exit', 'Exit');
  exit.href = urlWithout();
  exit.title = 'Close the debug panel (reloads the page without ?precis-debug)';
  const bar = el('div', 'precis-debug__bar', title, updated, toggle, exit);

  const sections = {
    profile: el('div', 'precis-debug__content'),
    model: el('div', 'precis-debug__content'),
    metrics: el('div', 'precis-debug__content'),
    slots: el('div', 'precis-debug__content'),
  };
  const section = (name, heading) =>
    el('section', `precis-debug__section precis-debug__section--${name}`, el('h3', 'precis-debug__heading', heading), sections[name]);
  const body = el('div', 'precis-debug__body',
    el('div', 'precis-debug__column',
      section('profile', 'Interest profile'),
      section('model', 'Model'),
      section('metrics', 'Metrics (this device)')),
    el('div', 'precis-debug__column', section('slots', 'Slots')));
  body.id = 'precis-debug-body';
  toggle.setAttribute('aria-controls', body.id);

  const panel = el('aside', 'precis-debug', bar, body);
  panel.setAttribute('aria-label', 'Precis debug panel');
  for (const content of Object.values(sections)) content.append(muted('Loading…'));

  function applyCollapsed() {
    panel.classList.toggle('precis-debug--collapsed', state.collapsed);
    body.hidden = state.collapsed;
    toggle.textContent = state.collapsed ? 'Show' : 'Hide';
    toggle.setAttribute('aria-expanded', String(!state.collapsed));
  }
  toggle.addEventListener('click', () => {
    state.collapsed = !state.collapsed;
    try {
      sessionStorage.setItem(COLLAPSED_KEY, state.collapsed ? '1' : '0');
    } catch {
      // Storage refused: the choice lasts for this page only.
    }
    applyCollapsed();
    if (!state.collapsed && state.dirty) schedule();
  });
  applyCollapsed();

  const mount = () => document.body.append(panel);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  // --- (1) Interest profile.

  function renderProfile(profile) {
    const content = sections.profile;
    const interests = new Set(profile.segments.filter((s) => s.startsWith('interest:')).map((s) => s.slice(9)));
    const top = profile.categories.slice(0, MAX_CATEGORIES);
    const parts = [];
    if (top.length === 0) {
      parts.push(muted('No interests yet: browse a few products.'));
    } else {
      parts.push(barChart(top, interests));
    }
    const segments = el('div', 'precis-debug__chips');
    for (const segment of profile.segments) {
      segments.append(chip(segment, segment.startsWith('interest:') ? 'precis-debug__chip--accent' : ''));
    }
    const meter = el('span', 'precis-debug__meter');
    const fill = el('span', 'precis-debug__meter-fill');
    fill.style.width = percent(Math.min(1, Math.max(0, profile.propensity)), 0);
    meter.append(fill);
    parts.push(
      facts([
        ['Segments', segments],
        ['Propensity', el('span', 'precis-debug__propensity', meter, percent(profile.propensity), profile.propensityModel ? ` · ${profile.propensityModel.name}` : null)],
        ['Arm', chip(profile.arm, `precis-debug__chip--${profile.arm}`)],
      ]),
    );
    content.replaceChildren(...parts);
  }

  /** A horizontal bar chart of category affinities, in inline SVG. */
  function barChart(rows, highlighted) {
    const rowHeight = 22;
    const labelWidth = 92;
    const valueWidth = 44;
    const width = 300;
    const barWidth = width - labelWidth - valueWidth;
    const max = Math.max(...rows.map((row) => row.affinity), 1e-9);
    const chart = svg('svg', {
      class: 'precis-debug__chart',
      viewBox: `0 0 ${width} ${rows.length * rowHeight}`,
      width: '100%',
      role: 'img',
      'aria-label': `Interest by category: ${rows.map((r) => `${r.id} ${fixed(r.affinity)}`).join(', ')}`,
    });
    rows.forEach((row, index) => {
      const y = index * rowHeight;
      const length = Math.max(2, (row.affinity / max) * barWidth);
      const kind = highlighted.has(row.id) ? 'precis-debug__bar-fill--interest' : '';
      chart.append(
        svg('text', { x: labelWidth - 8, y: y + rowHeight / 2, class: 'precis-debug__chart-label', 'text-anchor': 'end', 'dominant-baseline': 'central' }, row.id),
        svg('rect', { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, rx: 3, class: 'precis-debug__bar-track' }),
        svg('rect', { x: labelWidth, y: y + 4, width: length.toFixed(1), height: rowHeight - 8, rx: 3, class: `precis-debug__bar-fill ${kind}`.trim() }),
        svg('text', { x: width, y: y + rowHeight / 2, class: 'precis-debug__chart-value', 'text-anchor': 'end', 'dominant-baseline': 'central' }, fixed(row.affinity)),
      );
    });
    return chart;
  }

  // --- (2) Model.

  /** "store ✓ personalize ✗ send ✗ · decided by gpp (personalize, send), cmp (store)", or "waiting for the CMP". */
  function describeConsent(consent) {
    if (!consent) return '–';
    const allowed = Object.entries(consent.state).map(([permission, on]) => `${permission} ${on ? '✓' : '✗'}`).join(' ');
    const by = new Map();
    for (const [permission, source] of Object.entries(consent.decidedBy)) by.set(source, [...(by.get(source) ?? []), permission]);
    const sources = [...by].map(([source, permissions]) => `${source} (${permissions.join(', ')})`).join(', ');
    return `${allowed} · decided by ${sources}${consent.pending ? ' · waiting for the CMP: nothing stored, personalised or sent' : ''}`;
  }

  /** "measured · webgpu 8.1 ms, webgl 3.2 ms, wasm 4.4 ms, cpu 12.0 ms", or "forced". */
  function describeChoice(choice) {
    if (!choice) return '–';
    const times = Object.entries(choice.msPerRun).map(([backend, ms]) => `${backend} ${fixed(ms, 1)} ms`).join(', ');
    return times ? `${choice.how} · ${times} per run` : choice.how;
  }

  function renderModel(status) {
    const model = status.model;
    const rows = model
      ? [
        ['Backend', chip(model.backend, 'precis-debug__chip--accent')],
        ['Backend choice', describeChoice(model.backendChoice)],
        ['Thread', model.thread],
        ['Model', (status.models ?? [model]).map((m) => `${m.name} ${m.version}${m.job ? ` (${m.job})` : ''}`).join(', ')],
        ['From cache', model.fromCache ? 'yes (no download)' : 'no (downloaded)'],
        ['Tensors', String(model.numTensors)],
      ]
      : [['Backend', 'none yet: the ranker decides alone']];
    rows.push(
      ['Last decision', status.lastDecisionMs === null ? '–' : `${fixed(status.lastDecisionMs, 1)} ms`],
      ['Store', `${status.store ?? 'none'} · ${status.creatives} creatives`],
      ['Consent', describeConsent(status.consent)],
    );
    if (state.errors > 0) {
      const detail = state.lastError ? `${state.lastError.code}${state.lastError.details?.reason ? `: ${state.lastError.details.reason}` : ''}` : '';
      rows.push(['Errors', `${state.errors} (last: ${detail})`, 'precis-debug__fail']);
    }
    sections.model.replaceChildren(facts(rows));
  }

  // --- (3) Slots.

  function renderSlots(api) {
    const slots = [...document.querySelectorAll('[data-precis-slot]')].filter((slot) => !slot.closest('.precis-debug'));
    panel.dataset.slots = String(Math.min(slots.length, 2)); // the panel's width follows (styles.css)
    if (slots.length === 0) {
      sections.slots.replaceChildren(muted('No [data-precis-slot] on this page.'));
      return;
    }
    sections.slots.replaceChildren(...slots.map((slot) => slotCard(slot, api.why(slot))));
  }

  function slotCard(slot, why) {
    const name = slot.getAttribute('data-precis-slot') ?? '';
    const card = el('article', 'precis-debug__slot');
    // Hovering a card outlines its slot on the page.
    card.addEventListener('mouseenter', () => slot.classList.add('precis-debug-target'));
    card.addEventListener('mouseleave', () => slot.classList.remove('precis-debug-target'));
    const head = el('header', 'precis-debug__slot-head', chip(name, 'precis-debug__chip--slot'));
    card.append(head);
    if (!why || !why.creative) {
      const decided = state.decisions.get(name);
      head.append(el('span', 'precis-debug__slot-id', 'default content'));
      card.append(muted(decided?.creative
        ? `Decided ${decided.creative.id}, but the slot kept its default (the decision came after the hide timeout).`
        : 'Precis has not filled this slot (no decision yet, or no creative fits).'));
      return card;
    }
    const source = chip(why.source, `precis-debug__chip--${why.source}`);
    source.title = why.source === 'cache'
      ? 'decided on an earlier page (ahead of time), shown from the first frame'
      : 'decided on this page';
    head.append(el('span', 'precis-debug__slot-id', why.creative), source);
    if (why.title) card.append(el('p', 'precis-debug__slot-title', why.title));
    card.append(el('p', 'precis-debug__numbers',
      numberPair('p', percent(why.probability, 0)),
      numberPair('score', fixed(why.score, 3)),
      numberPair('ctr', percent(why.ctr, 2)),
      numberPair('arm', why.arm)));

    if (why.reasons.length > 0) {
      const table = el('table', 'precis-debug__table precis-debug__table--compact');
      table.append(el('thead', '', el('tr', '', el('th', '', 'reason'), el('th', '', 'id'), el('th', 'precis-debug__num', 'affinity'))));
      const rows = el('tbody');
      for (const reason of why.reasons.slice(0, MAX_REASONS)) {
        rows.append(el('tr', '', el('td', '', reason.kind), el('td', '', reason.id), el('td', 'precis-debug__num', fixed(reason.affinity))));
      }
      table.append(rows);
      card.append(label('Reasons'), table);
      if (why.reasons.length > MAX_REASONS) card.append(muted(`+${why.reasons.length - MAX_REASONS} more`));
    } else {
      card.append(label('Reasons'), muted(why.arm === 'control'
        ? 'control arm: not personalised, the catalog prior decided'
        : 'none about this visitor: the catalog prior decided'));
    }

    if (why.events.length > 0) {
      const list = el('ul', 'precis-debug__events');
      for (const event of why.events.slice(0, MAX_EVENTS)) {
        const what = [event.item, event.category && `(${event.category})`].filter(Boolean).join(' ');
        const line = el('li', '', el('b', '', event.type), ` ${what} · w ${fixed(event.weight)} · ${ago(event.time)}`);
        const name = event.item === undefined ? null : productName(event.item);
        if (name) line.title = name;
        list.append(line);
      }
      card.append(label('Top events'), list);
    }

    const rules = el('div', 'precis-debug__chips');
    for (const rule of why.rules) {
      const ruleChip = chip(`${rule.passed ? '✓' : '✗'} ${rule.rule}`, rule.passed ? 'precis-debug__chip--pass' : 'precis-debug__chip--fail');
      ruleChip.title = rule.detail;
      rules.append(ruleChip);
    }
    card.append(label('Rules'), rules);

    if (why.excluded.length > 0) {
      // Grouped by rule: "category-limit: a, b".
      const byRule = new Map();
      for (const { creative, rule } of why.excluded) byRule.set(rule, [...(byRule.get(rule) ?? []), creative]);
      const list = el('ul', 'precis-debug__excluded');
      for (const [rule, creatives] of byRule) {
        list.append(el('li', '', el('span', 'precis-debug__fail', `✗ ${rule}`), ` ${creatives.join(', ')}`));
      }
      card.append(label(`Excluded (${why.excluded.length})`), list);
    }
    return card;
  }

  /** The shop's name for an item, from a product card on the page (for tooltips). */
  function productName(item) {
    for (const link of document.querySelectorAll('[data-precis-item]')) {
      if (link.getAttribute('data-precis-item') === String(item)) return link.querySelector('.name')?.textContent ?? null;
    }
    return null;
  }

  const numberPair = (key, value) => el('span', 'precis-debug__pair', el('span', 'precis-debug__key', key), ` ${value}`);
  const label = (text) => el('h4', 'precis-debug__label', text);

  // --- (4) Metrics, both arms side by side.

  function renderMetrics(metrics, arm) {
    const arms = ['personalized', 'control'];
    const table = el('table', 'precis-debug__table precis-debug__metrics');
    const headRow = el('tr', '', el('th', ''));
    for (const name of arms) {
      const th = el('th', 'precis-debug__num', name, name === arm ? el('span', 'precis-debug__you', ' (you)') : null);
      if (name === arm) th.classList.add('precis-debug__current');
      headRow.append(th);
    }
    table.append(el('thead', '', headRow));
    const rows = el('tbody');
    const lines = [
      ['Impressions', (c) => String(c.impressions)],
      ['Clicks', (c) => String(c.clicks)],
      ['CTR', (c) => percent(c.ctr)],
      ['Conversions', (c) => String(c.conversions)],
      ['Conv. rate', (c) => percent(c.conversionRate)],
    ];
    for (const [name, format] of lines) {
      const row = el('tr', '', el('th', '', name));
      for (const armName of arms) {
        const td = el('td', 'precis-debug__num', format(metrics.arms[armName]));
        if (armName === arm) td.classList.add('precis-debug__current');
        row.append(td);
      }
      rows.append(row);
    }
    table.append(rows);
    sections.metrics.replaceChildren(table);
    panel.dataset.impressions = String(metrics.arms.personalized.impressions + metrics.arms.control.impressions);
  }

  // --- Updates: after `ready` and on the SDK's events, throttled.

  let timer = null;
  let running = false;
  let again = false;

  function schedule() {
    state.dirty = true;
    if (timer !== null || !state.api || state.collapsed) return;
    timer = setTimeout(run, THROTTLE_MS);
  }

  async function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    state.dirty = false;
    try {
      await update(state.api);
    } catch (error) {
      updated.textContent = `update failed: ${error && error.message ? error.message : String(error)}`;
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  async function update(api) {
    const [profile, status, metrics] = await Promise.all([api.profile(), api.status(), api.metrics()]);
    renderProfile(profile);
    renderModel(status);
    renderSlots(api);
    renderMetrics(metrics, status.arm);
    panel.dataset.state = 'ready';
    panel.dataset.backend = status.model ? status.model.backend : 'none';
    state.updatedAt = new Date();
    updated.textContent = `updated ${state.updatedAt.toLocaleTimeString([], { hour12: false })}`;
  }

  window.precis = window.precis || [];
  window.precis.push((api) => {
    state.api = api;
    updated.textContent = 'waiting for ready…';
    api.on('render', (decisions) => {
      for (const decision of decisions) state.decisions.set(decision.slot, decision);
      schedule();
    });
    for (const type of ['exposure', 'model', 'track', 'consent']) api.on(type, schedule);
    api.on('error', (error) => {
      state.errors += 1;
      state.lastError = error;
      schedule();
    });
    void api.ready.then(() => {
      state.dirty = true;
      schedule();
    });
  });
})();
