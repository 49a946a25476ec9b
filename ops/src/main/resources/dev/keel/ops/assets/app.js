// Keel ops console dashboard. Vanilla JavaScript (ES2020), no build step, no dependencies.
//
// Every URL is relative (the console may be mounted under a prefix such as /ops/). Every value
// from the API reaches the DOM through textContent or attributes set one by one, never as HTML.
'use strict';

(() => {
  const JOB_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
  const ALERT_STATES = ['OPEN', 'ACKNOWLEDGED', 'SNOOZED', 'RESOLVED'];
  const CHART_STATES = ['PENDING', 'RUNNING', 'FAILED'];
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ERROR_LABELS = {
    bad_request: 'Invalid input',
    unauthenticated: 'Not signed in',
    forbidden: 'Forbidden',
    not_found: 'Not found',
    method_not_allowed: 'Not allowed',
    conflict: 'Conflict',
    unavailable: 'Backend unavailable',
    internal: 'Server error',
    network: 'Network error',
  };

  // Kept in memory only: a reload asks GET api/session again, which returns the CSRF token of the
  // session cookie.
  const session = { csrf: null, principal: null };
  let renderSeq = 0;
  let lastProcess = null; // { report, at, form }

  // ---- DOM helpers ------------------------------------------------------------------------

  const $ = (sel, root = document) => root.querySelector(sel);

  function setProps(node, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'test') node.setAttribute('data-test', String(v));
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.entries(v).forEach(([dk, dv]) => { node.dataset[dk] = String(dv); });
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, String(v));
    }
  }

  function appendAll(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  /** el('td', {class: 'num', text: 3}) — text and attributes only, never HTML. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    setProps(node, props);
    appendAll(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = String(v);
      else if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    }
    appendAll(node, children);
    return node;
  }

  // ---- formatting -------------------------------------------------------------------------

  const fmtNumber = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

  function fmtTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
  }

  function timeEl(iso) {
    if (!iso) return el('span', { class: 'muted', text: '—' });
    return el('time', { datetime: iso, title: iso, text: fmtTime(iso) });
  }

  function fmtMs(ms) {
    if (ms === null || ms === undefined) return '—';
    const n = Number(ms);
    if (n < 1000) return `${n} ms`;
    if (n < 60_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
    const s = Math.round(n / 1000);
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    const h = Math.floor(s / 3600);
    if (h < 48) return `${h} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }

  const yesNo = (b) => (b === null || b === undefined ? 'not checked' : b ? 'yes' : 'no');
  const badge = (value, test) => el('span', { class: `badge ${value}`, test, text: value });

  /** ISO instant -> value of an <input type="datetime-local"> (local time). */
  function isoToLocalInput(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  /** <input type="datetime-local"> value (local time) -> ISO instant, or '' */
  function localInputToIso(value) {
    if (!value) return '';
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString();
  }

  // ---- the API ----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, field, message) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field;
    }
  }

  function queryString(params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && String(v) !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    return s ? `?${s}` : '';
  }

  async function api(method, path, params, body) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET' && session.csrf) headers['X-Keel-CSRF'] = session.csrf;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path + queryString(params), init);
    } catch (e) {
      throw new ApiError(0, 'network', null, `the console did not answer (${e.message})`);
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (!res.ok) {
      const d = data && typeof data === 'object' ? data : {};
      throw new ApiError(
        res.status,
        d.error || `http_${res.status}`,
        d.field || null,
        d.message || `HTTP ${res.status} ${res.statusText}`.trim(),
      );
    }
    return data;
  }

  // ---- messages ---------------------------------------------------------------------------

  function clearInvalid() {
    document.querySelectorAll('[aria-invalid="true"]').forEach((n) => n.removeAttribute('aria-invalid'));
  }

  function clearError() {
    const b = $('#banner');
    b.hidden = true;
    b.replaceChildren();
    clearInvalid();
  }

  /** Shows an API error in the banner; `scope` is where to look for the input named by `field`. */
  function showError(err, scope) {
    const b = $('#banner');
    const code = err && err.code ? err.code : 'error';
    const label = ERROR_LABELS[code] || 'Error';
    b.dataset.code = code;
    b.replaceChildren(
      el(
        'div',
        { class: 'msg' },
        el('strong', { test: 'error-label', text: `${label}: ` }),
        el('span', { test: 'error-message', text: err && err.message ? err.message : String(err) }),
        err && err.field ? el('span', { test: 'error-field', text: ` (field: ${err.field})` }) : null,
      ),
      el('button', {
        type: 'button', class: 'close', 'aria-label': 'Dismiss', text: '×', onclick: clearError,
      }),
    );
    b.hidden = false;
    clearInvalid();
    if (err && err.field) {
      const root = scope || $('#view');
      const input = Array.from(root.querySelectorAll('[name]')).find((n) => n.getAttribute('name') === err.field);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    }
  }

  function showNotice(text) {
    const n = $('#notice');
    n.replaceChildren(
      el('div', { class: 'msg', test: 'notice-text', text }),
      el('button', {
        type: 'button', class: 'close', 'aria-label': 'Dismiss', text: '×',
        onclick: () => { n.hidden = true; n.replaceChildren(); },
      }),
    );
    n.hidden = false;
  }

  function clearNotice() {
    const n = $('#notice');
    n.hidden = true;
    n.replaceChildren();
  }

  /** Errors of actions and renders: 401 goes back to the login view, the rest to the banner. */
  function handleError(err, scope) {
    if (err instanceof ApiError && err.status === 401) {
      toLogin({ code: 'unauthenticated', message: 'your session has ended; sign in again' });
      return;
    }
    showError(err, scope);
  }

  // ---- session ----------------------------------------------------------------------------

  function describePrincipal(p) {
    return p.admin ? 'administrator of all tenants' : `operator of ${p.tenants.join(', ')}`;
  }

  function toLogin(err) {
    session.csrf = null;
    session.principal = null;
    renderSeq++;
    $('#boot').hidden = true;
    $('#nav').hidden = true;
    $('#user').hidden = true;
    $('#view').hidden = true;
    $('#view').replaceChildren();
    $('#view').removeAttribute('data-view');
    clearNotice();
    $('#login').hidden = false;
    if (err) showError(err, $('#login'));
    else clearError();
    $('#login-token').focus();
  }

  function signedIn(data) {
    session.principal = data.principal;
    session.csrf = data.csrf || null;
    $('#boot').hidden = true;
    $('#login').hidden = true;
    $('#nav').hidden = false;
    $('#user').hidden = false;
    $('#whoami').replaceChildren(
      el('strong', { test: 'principal-name', text: data.principal.name }),
      ' · ',
      el('span', { test: 'principal-role', text: describePrincipal(data.principal) }),
    );
    $('#view').hidden = false;
    if (!parseRoute().known) {
      location.hash = '#/overview'; // hashchange renders
      return;
    }
    render();
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const input = $('#login-token');
    const button = $('#login-submit');
    const token = input.value;
    if (!token) {
      showError(new ApiError(400, 'bad_request', 'token', 'enter a token'), $('#login'));
      return;
    }
    button.disabled = true;
    try {
      const data = await api('POST', 'api/session', undefined, { token });
      input.value = '';
      clearError();
      signedIn(data);
    } catch (err) {
      if (err.status === 401) {
        err.message = 'that token was not accepted';
      }
      showError(err, $('#login'));
      input.select();
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    try {
      await api('POST', 'api/session/logout');
    } catch (err) {
      if (err.status !== 401) {
        showError(err);
        return;
      }
    }
    toLogin(null);
    showNotice('Signed out.');
  }

  // ---- routing ----------------------------------------------------------------------------

  function parseRoute() {
    let h = location.hash.replace(/^#\/?/, '');
    let q = '';
    const i = h.indexOf('?');
    if (i >= 0) {
      q = h.slice(i + 1);
      h = h.slice(0, i);
    }
    const parts = h.split('/').filter(Boolean).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch (e) {
        return p;
      }
    });
    const name = parts[0] || '';
    return {
      name,
      parts: parts.slice(1),
      params: new URLSearchParams(q),
      known: ['overview', 'jobs', 'job', 'alerts'].includes(name),
    };
  }

  const href = {
    overview: (params) => `#/overview${queryString(params)}`,
    jobs: (params) => `#/jobs${queryString(params)}`,
    job: (tenant, id) => `#/job/${encodeURIComponent(tenant)}/${encodeURIComponent(id)}`,
    alerts: (params) => `#/alerts${queryString(params)}`,
  };

  /** Goes to `hash`; renders again when it is the current one (no hashchange then). */
  function navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  }

  function markNav(name) {
    const current = name === 'job' ? 'jobs' : name;
    document.querySelectorAll('#nav a').forEach((a) => {
      if (a.dataset.route === current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }

  async function render() {
    if (!session.principal) return;
    const seq = ++renderSeq;
    const route = parseRoute();
    if (!route.known) {
      navigate('#/overview');
      return;
    }
    const view = $('#view');
    view.setAttribute('aria-busy', 'true');
    markNav(route.name);
    let content;
    try {
      switch (route.name) {
        case 'overview': content = await renderOverview(route); break;
        case 'jobs': content = await renderJobs(route); break;
        case 'job': content = await renderJob(route); break;
        default: content = await renderAlerts(route); break;
      }
    } catch (err) {
      if (seq !== renderSeq) return;
      if (err instanceof ApiError && err.status === 401) {
        handleError(err);
        return;
      }
      content = errorView(route, err);
      showError(err);
    }
    if (seq !== renderSeq) return; // a newer render started meanwhile
    view.replaceChildren(content);
    view.dataset.view = route.name;
    view.setAttribute('aria-busy', 'false');
    const titles = { overview: 'Overview', jobs: 'Jobs', job: 'Job', alerts: 'Alerts' };
    document.title = `${titles[route.name]} · Keel ops console`;
  }

  function errorView(route, err) {
    const notFound = err instanceof ApiError && err.status === 404;
    return el(
      'div',
      { class: 'panel', test: notFound ? 'not-found' : 'load-error' },
      el('h1', { text: notFound ? 'Not found' : 'Could not load this view' }),
      el('p', { text: err.message }),
      el('p', {}, el('a', { href: route.name === 'job' ? href.jobs() : href.overview(), text: 'Back' })),
    );
  }

  function field(labelText, input) {
    const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
    input.id = id;
    return el('div', { class: 'field' }, el('label', { for: id, text: labelText }), input);
  }

  function tenantDatalist(id) {
    const list = el('datalist', { id });
    const names = session.principal.admin ? ['default'] : session.principal.tenants;
    names.forEach((t) => list.append(el('option', { value: t })));
    return list;
  }

  function select(name, options, current, props) {
    const s = el('select', { name, ...props });
    let found = false;
    for (const [value, text] of options) {
      const o = el('option', { value, text });
      if (value === current) {
        o.selected = true;
        found = true;
      }
      s.append(o);
    }
    if (!found && current) {
      const o = el('option', { value: current, text: current });
      o.selected = true;
      s.append(o);
    }
    return s;
  }

  function table(headers, rows, emptyText, test) {
    const head = el('tr', {}, headers.map((h) => (Array.isArray(h) ? el('th', { class: h[1], text: h[0] }) : el('th', { text: h }))));
    const body = el('tbody');
    if (rows.length === 0) {
      body.append(el('tr', {}, el('td', { class: 'empty', colspan: headers.length, text: emptyText })));
    } else {
      rows.forEach((r) => body.append(r));
    }
    return el('div', { class: 'table-wrap' }, el('table', { test }, el('thead', {}, head), body));
  }

  async function withButton(button, fn) {
    button.disabled = true;
    try {
      return await fn();
    } finally {
      button.disabled = false;
    }
  }

  // ---- overview ---------------------------------------------------------------------------

  async function renderOverview(route) {
    const tenant = route.params.get('tenant') || '';
    const hours = route.params.get('hours') || '6';
    const [ov, backlog] = await Promise.all([
      api('GET', 'api/overview', { tenant }),
      api('GET', 'api/backlog', { hours, tenant }).catch((e) => e),
    ]);
    if (backlog instanceof ApiError && backlog.status === 401) throw backlog;

    const root = el('div', { test: 'overview' });

    // Toolbar: title, tenant filter, refresh.
    const tenantInput = el('input', {
      name: 'tenant', value: tenant, list: 'ov-tenants', placeholder: session.principal.admin ? 'all tenants' : 'all of yours',
      autocomplete: 'off', spellcheck: 'false', test: 'overview-tenant',
    });
    const form = el(
      'form',
      { class: 'inline-form', test: 'overview-filter' },
      field('Tenant', tenantInput),
      tenantDatalist('ov-tenants'),
      el('button', { type: 'submit', class: 'secondary', text: 'Show' }),
      el('button', { type: 'button', class: 'secondary', test: 'refresh', text: 'Refresh', onclick: () => render() }),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      navigate(href.overview({ tenant: tenantInput.value.trim(), hours: hours === '6' ? '' : hours }));
    });
    root.append(el('div', { class: 'toolbar' }, el('h1', { text: 'Overview' }), form));

    // Counts by state.
    const cards = el('div', { class: 'cards', test: 'counts' });
    const jobTenant = tenant || (session.principal.admin ? '' : '');
    for (const s of JOB_STATES) {
      cards.append(
        el(
          'a',
          { class: `card state-${s}`, href: href.jobs({ state: s, tenant: jobTenant }), test: `card-${s}` },
          el('span', { class: 'label', text: s }),
          el('span', { class: 'value', test: `count-${s}`, text: fmtNumber(ov.counts ? ov.counts[s] : null) }),
        ),
      );
    }
    root.append(cards);

    const cols = el('div', { class: 'grid-2' });
    cols.append(healthPanel(ov), backlogPanel(backlog, hours, tenant));
    root.append(cols);

    root.append(typesPanel(ov), queuesPanel(ov), processPanel(ov));
    return root;
  }

  function healthPanel(ov) {
    const verdict = !ov.reachable ? 'Backend unreachable' : ov.healthy ? 'Healthy' : 'Unhealthy';
    const problems = Array.isArray(ov.problems) ? ov.problems : [];
    return el(
      'section',
      { class: 'panel', test: 'health' },
      el('h2', {}, 'Health ', el('span', {
        class: `badge verdict ${ov.healthy && ov.reachable ? 'healthy' : 'unhealthy'}`, test: 'health-verdict', text: verdict,
      })),
      problems.length
        ? el('ul', { class: 'problems', test: 'health-problems' }, problems.map((p) => el('li', { test: 'problem', text: p })))
        : el('p', { class: 'muted', test: 'health-problems', text: 'No problems.' }),
      el(
        'dl',
        { class: 'fields' },
        dlRow('Backend', ov.backend),
        dlRow('Reachable', yesNo(ov.reachable)),
        dlRow('Worker running', yesNo(ov.workerRunning)),
        dlRow('Tenant', ov.tenant === null || ov.tenant === undefined ? 'all tenants' : ov.tenant),
        dlRow('Stuck RUNNING', fmtNumber(ov.stuck)),
        dlRow('Failed, last hour', fmtNumber(ov.failedLastHour), 'failed-last-hour'),
        dlRow('Oldest due job waited', fmtMs(ov.oldestDueAgeMs)),
        dlRow('Measured', timeEl(ov.measuredAt)),
        dlRow('Took', fmtMs(ov.elapsedMs)),
      ),
    );
  }

  function dlRow(label, value, test) {
    return [el('dt', { text: label }), el('dd', { test }, value === null || value === undefined || value === '' ? '—' : value)];
  }

  function typesPanel(ov) {
    const types = Array.isArray(ov.types) ? ov.types : [];
    const rows = types.map((t) => {
      const c = t.counts || {};
      const lh = t.lastHour || {};
      const d = t.durations;
      return el(
        'tr',
        { test: 'type-row', 'data-type': t.type },
        el('td', {}, el('a', { href: href.jobs({ type: t.type }), text: t.type })),
        el('td', { text: t.hasHandler === false ? 'no' : 'yes' }),
        ...['PENDING', 'RUNNING', 'FAILED'].map((s) => el('td', { class: 'num', text: fmtNumber(c[s] || 0) })),
        el('td', { class: 'num', test: 'lasthour-SUCCEEDED', text: fmtNumber(lh.SUCCEEDED || 0) }),
        el('td', { class: 'num', test: 'lasthour-FAILED', text: fmtNumber(lh.FAILED || 0) }),
        el('td', { class: 'num', text: fmtNumber(d ? d.count : null) }),
        el('td', { class: 'num', text: d ? fmtMs(d.p50Ms) : '—' }),
        el('td', { class: 'num', text: d ? fmtMs(d.p95Ms) : '—' }),
        el('td', { class: 'num', text: d ? fmtMs(d.p99Ms) : '—' }),
        el('td', { class: 'num', text: d ? fmtMs(d.maxMs) : '—' }),
      );
    });
    return el(
      'section',
      { class: 'panel', test: 'types' },
      el('h2', { text: 'Job types' }),
      el('p', { class: 'muted', text: 'Run times are measured by this process\u2019s workers over the last 1,000 runs of each type.' }),
      table(
        ['Type', 'Handler', ['Pending', 'num'], ['Running', 'num'], ['Failed', 'num'], ['Succeeded 1 h', 'num'],
          ['Failed 1 h', 'num'], ['Runs', 'num'], ['p50', 'num'], ['p95', 'num'], ['p99', 'num'], ['Max', 'num']],
        rows,
        'No job types.',
        'types-table',
      ),
    );
  }

  function queuesPanel(ov) {
    const byQueue = ov.byQueue || {};
    const rows = Object.keys(byQueue).sort().map((q) => el(
      'tr',
      { test: 'queue-row' },
      el('td', {}, el('a', { href: href.jobs({ queue: q }), text: q })),
      ...JOB_STATES.map((s) => el('td', { class: 'num', text: fmtNumber(byQueue[q][s] || 0) })),
    ));
    return el(
      'section',
      { class: 'panel', test: 'queues' },
      el('h2', { text: 'Queues' }),
      table(['Queue', ...JOB_STATES.map((s) => [s.charAt(0) + s.slice(1).toLowerCase(), 'num'])], rows, 'No queues.', 'queues-table'),
    );
  }

  function backlogPanel(backlog, hours, tenant) {
    const hoursSelect = select('hours', [['1', '1 hour'], ['6', '6 hours'], ['24', '24 hours'], ['48', '48 hours']], hours, { test: 'backlog-hours' });
    hoursSelect.addEventListener('change', () => navigate(href.overview({ tenant, hours: hoursSelect.value === '6' ? '' : hoursSelect.value })));
    const panel = el(
      'section',
      { class: 'panel', test: 'backlog' },
      el('div', { class: 'toolbar' }, el('h2', { text: 'Backlog' }), field('Window', hoursSelect)),
    );
    if (backlog instanceof Error) {
      panel.append(el('p', { class: 'error-text', test: 'backlog-error', text: `The backlog could not be loaded: ${backlog.message}` }));
      return panel;
    }
    const samples = Array.isArray(backlog.samples) ? backlog.samples : [];
    panel.append(backlogChart(samples, Number(backlog.hours || hours)));
    const last = samples.length ? samples[samples.length - 1].counts || {} : {};
    panel.append(el(
      'div',
      { class: 'legend', test: 'backlog-legend' },
      CHART_STATES.map((s) => el('span', {}, el('span', { class: `swatch s-${s}` }), `${s}${samples.length ? ` (now ${fmtNumber(last[s] || 0)})` : ''}`)),
      el('span', { class: 'muted', text: `${samples.length} sample${samples.length === 1 ? '' : 's'}` }),
    ));
    return panel;
  }

  function niceMax(v) {
    if (v <= 4) return 4;
    const mag = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (m * mag >= v) return m * mag;
    }
    return 10 * mag;
  }

  function backlogChart(samples, hours) {
    const W = 640;
    const H = 260;
    const m = { l: 52, r: 14, t: 12, b: 42 };
    const iw = W - m.l - m.r;
    const ih = H - m.t - m.b;
    const points = samples
      .map((s) => ({ t: Date.parse(s.at), c: s.counts || {} }))
      .filter((p) => !Number.isNaN(p.t));
    const end = Math.max(Date.now(), ...points.map((p) => p.t));
    const start = end - hours * 3600_000;
    let maxV = 0;
    points.forEach((p) => CHART_STATES.forEach((s) => { maxV = Math.max(maxV, Number(p.c[s] || 0)); }));
    const yMax = niceMax(maxV);
    const x = (t) => m.l + ((t - start) / (end - start)) * iw;
    const y = (v) => m.t + ih - (v / yMax) * ih;

    const chart = svg('svg', {
      viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'data-test': 'backlog-chart',
      'aria-label': `Jobs PENDING, RUNNING and FAILED over the last ${hours} hours`,
    }, svg('title', { text: `Backlog over the last ${hours} hours` }));

    // Horizontal grid and y labels.
    for (let i = 0; i <= 4; i++) {
      const v = (yMax / 4) * i;
      const yy = y(v);
      chart.append(svg('line', { class: i === 0 ? 'axis' : 'grid', x1: m.l, x2: W - m.r, y1: yy, y2: yy }));
      chart.append(svg('text', { x: m.l - 6, y: yy + 4, 'text-anchor': 'end', text: fmtNumber(Math.round(v * 100) / 100) }));
    }
    chart.append(svg('line', { class: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: m.t + ih }));
    // x ticks: one per hour for short windows, fewer for long ones.
    const stepH = hours <= 6 ? 1 : hours <= 24 ? 4 : 8;
    const firstTick = Math.ceil(start / (stepH * 3600_000)) * stepH * 3600_000;
    for (let t = firstTick; t <= end; t += stepH * 3600_000) {
      const xx = x(t);
      const d = new Date(t);
      chart.append(svg('line', { class: 'axis', x1: xx, x2: xx, y1: m.t + ih, y2: m.t + ih + 5 }));
      chart.append(svg('text', {
        x: xx, y: m.t + ih + 18, 'text-anchor': 'middle',
        text: `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`,
      }));
    }
    chart.append(svg('text', { x: m.l + iw / 2, y: H - 4, 'text-anchor': 'middle', text: 'time (UTC)' }));
    chart.append(svg('text', {
      x: 12, y: m.t + ih / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${m.t + ih / 2})`, text: 'jobs',
    }));

    if (points.length === 0) {
      chart.append(svg('text', { x: m.l + iw / 2, y: m.t + ih / 2, 'text-anchor': 'middle', 'data-test': 'backlog-empty', text: 'No samples in this window yet' }));
      return chart;
    }
    for (const s of CHART_STATES) {
      const coords = points.map((p) => `${x(p.t).toFixed(1)},${y(Number(p.c[s] || 0)).toFixed(1)}`);
      chart.append(svg('polyline', { class: `series s-${s}`, points: coords.join(' '), 'data-series': s }));
      if (points.length <= 30) {
        points.forEach((p) => chart.append(svg('circle', { class: `dot s-${s}`, cx: x(p.t).toFixed(1), cy: y(Number(p.c[s] || 0)).toFixed(1), r: 3 })));
      }
    }
    return chart;
  }

  function processPanel(ov) {
    const prev = lastProcess ? lastProcess.form : {};
    const types = (Array.isArray(ov.types) ? ov.types : []).filter((t) => t.hasHandler !== false).map((t) => [t.type, t.type]);
    const typeSelect = select('type', [['', 'any type'], ...types], prev.type || '', { test: 'process-type' });
    const max = el('input', { name: 'max', type: 'number', min: 1, max: 50, value: prev.max || '1', required: true, test: 'process-max' });
    const budget = el('input', { name: 'budgetMs', type: 'number', min: 1, max: 20000, value: prev.budgetMs || '20000', required: true, test: 'process-budget' });
    const tenant = el('input', {
      name: 'tenant', value: prev.tenant || '', list: 'pr-tenants', autocomplete: 'off', spellcheck: 'false',
      placeholder: session.principal.admin ? 'all tenants' : 'yours', test: 'process-tenant',
    });
    const balanced = el('input', { name: 'balanced', value: prev.balanced || '', placeholder: 'e.g. email:10,sms:5', spellcheck: 'false', test: 'process-balanced' });
    const submit = el('button', { type: 'submit', test: 'process-submit', text: 'Run due jobs now' });
    const form = el(
      'form',
      { class: 'form-grid', test: 'process-form' },
      field('Type', typeSelect), field('Max jobs (1–50)', max), field('Budget (ms)', budget),
      field('Tenant (optional)', tenant), tenantDatalist('pr-tenants'), field('Balanced caps (optional)', balanced),
      el('div', { class: 'actions' }, submit),
    );
    const panel = el(
      'section',
      { class: 'panel', test: 'process' },
      el('h2', { text: 'Process now' }),
      el('p', { class: 'muted', text: 'Runs due jobs in this request, through the same claim path as the workers.' }),
      form,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {
        max: max.value.trim(), budgetMs: budget.value.trim(), type: typeSelect.value,
        tenant: tenant.value.trim(), balanced: balanced.value.replace(/\s+/g, ''),
      };
      await withButton(submit, async () => {
        try {
          const report = await api('POST', 'api/process', values);
          lastProcess = { report, at: new Date().toISOString(), form: values };
          clearError();
          showNotice(`Processed: ran ${report.ran} job${report.ran === 1 ? '' : 's'} (${report.stoppedBecause}).`);
          render();
        } catch (err) {
          handleError(err, form);
        }
      });
    });
    if (lastProcess) panel.append(processReport(lastProcess));
    return panel;
  }

  function processReport(p) {
    const r = p.report;
    return el(
      'div',
      { class: 'report', test: 'process-report' },
      el('h3', {}, 'Last run ', el('span', { class: 'muted' }, timeEl(p.at))),
      el(
        'dl',
        { class: 'fields' },
        ['ran', 'succeeded', 'retried', 'failed', 'snoozed', 'cancelled', 'leaseLost'].map((k) => dlRow(k, fmtNumber(r[k]), `report-${k}`)),
        dlRow('elapsed', fmtMs(r.elapsedMs)),
        dlRow('stopped because', r.stoppedBecause, 'report-stoppedBecause'),
      ),
    );
  }

  // ---- jobs -------------------------------------------------------------------------------

  const JOB_FILTERS = ['tenant', 'state', 'type', 'queue', 'from', 'to', 'limit'];

  async function renderJobs(route) {
    const f = {};
    JOB_FILTERS.forEach((k) => { f[k] = route.params.get(k) || ''; });
    const after = route.params.get('after') || '';
    const data = await api('GET', 'api/jobs', { ...f, after });
    const jobs = Array.isArray(data.jobs) ? data.jobs : [];
    const root = el('div', { test: 'jobs' });

    const tenant = el('input', {
      name: 'tenant', value: f.tenant, list: 'jobs-tenants', autocomplete: 'off', spellcheck: 'false',
      placeholder: data.tenant || '', test: 'filter-tenant',
    });
    const state = select('state', [['', 'any state'], ...JOB_STATES.map((s) => [s, s]), ['PENDING,RUNNING', 'PENDING or RUNNING']], f.state, { test: 'filter-state' });
    const type = el('input', { name: 'type', value: f.type, spellcheck: 'false', autocomplete: 'off', test: 'filter-type' });
    const queue = el('input', { name: 'queue', value: f.queue, spellcheck: 'false', autocomplete: 'off', test: 'filter-queue' });
    const from = el('input', { name: 'from', type: 'datetime-local', step: 1, value: isoToLocalInput(f.from), test: 'filter-from' });
    const to = el('input', { name: 'to', type: 'datetime-local', step: 1, value: isoToLocalInput(f.to), test: 'filter-to' });
    const limit = select('limit', [['', '50 per page'], ['20', '20 per page'], ['100', '100 per page'], ['200', '200 per page'], ['500', '500 per page']], f.limit, { test: 'filter-limit' });
    const form = el(
      'form',
      { class: 'form-grid panel', test: 'jobs-filter' },
      field('Tenant', tenant), tenantDatalist('jobs-tenants'), field('State', state), field('Type', type), field('Queue', queue),
      field('Created from (local time)', from), field('Created to (local time)', to), field('Page size', limit),
      el('div', { class: 'actions' },
        el('button', { type: 'submit', test: 'filter-apply', text: 'Apply' }),
        el('a', { class: 'button secondary', href: href.jobs(), test: 'filter-reset', text: 'Reset' })),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      navigate(href.jobs({
        tenant: tenant.value.trim(), state: state.value, type: type.value.trim(), queue: queue.value.trim(),
        from: localInputToIso(from.value), to: localInputToIso(to.value), limit: limit.value,
      }));
    });

    const toolbar = el('div', { class: 'toolbar' }, el('h1', { text: 'Jobs' }),
      el('button', { type: 'button', class: 'secondary', test: 'refresh', text: 'Refresh', onclick: () => render() }));
    if (f.state === 'FAILED') {
      const redrive = el('button', { type: 'button', class: 'secondary', test: 'redrive', text: 'Retry all matching FAILED (up to 100)' });
      redrive.addEventListener('click', () => withButton(redrive, async () => {
        try {
          const r = await api('POST', 'api/jobs/redrive', { tenant: data.tenant, type: f.type, queue: f.queue });
          showNotice(`Re-drove ${r.redriven} of ${r.examined} FAILED job${r.examined === 1 ? '' : 's'}${r.more ? '; more remain, run it again' : ''}.`);
          render();
        } catch (err) {
          handleError(err);
        }
      }));
      toolbar.append(redrive);
    }
    root.append(toolbar, form);

    const rows = jobs.map((j) => el(
      'tr',
      { test: 'job-row', 'data-id': j.id, 'data-state': j.state, 'data-tenant': j.tenant },
      el('td', { class: 'mono' }, el('a', { href: href.job(j.tenant, j.id), title: j.id, test: 'job-link', text: `${j.id.slice(0, 8)}…` })),
      el('td', { text: j.tenant }),
      el('td', { text: j.type }),
      el('td', { text: j.queue }),
      el('td', {}, badge(j.state, 'job-row-state')),
      el('td', { class: 'num', text: `${j.attempt}/${j.maxAttempts}` }),
      el('td', { class: 'num', text: j.priority }),
      el('td', {}, timeEl(j.createdAt)),
      el('td', {}, timeEl(j.runAt)),
      el('td', {}, timeEl(j.finishedAt)),
      el('td', { class: 'error-cell', test: 'job-row-error', text: j.lastError || '' }),
    ));
    root.append(table(
      ['Id', 'Tenant', 'Type', 'Queue', 'State', ['Attempt', 'num'], ['Priority', 'num'], 'Created', 'Run at', 'Finished', 'Last error'],
      rows,
      'No jobs match these filters.',
      'jobs-table',
    ));

    const base = {};
    JOB_FILTERS.forEach((k) => { base[k] = f[k]; });
    root.append(el(
      'div',
      { class: 'pager' },
      el('span', { class: 'muted', test: 'jobs-summary', text: `${jobs.length} job${jobs.length === 1 ? '' : 's'} of tenant ${data.tenant}${after ? ', after the cursor' : ''}; oldest first` }),
      after ? el('a', { class: 'button secondary', href: href.jobs(base), test: 'first-page', text: 'First page' }) : null,
      data.next
        ? el('a', { class: 'button', href: href.jobs({ ...base, after: data.next }), test: 'next-page', text: 'Next page' })
        : el('button', { type: 'button', disabled: true, test: 'next-page-none', text: 'No more pages' }),
    ));
    return root;
  }

  // ---- one job ----------------------------------------------------------------------------

  async function renderJob(route) {
    const [tenant, id] = route.parts;
    if (!tenant || !id) throw new ApiError(404, 'not_found', null, 'this address names no job');
    const job = await api('GET', `api/jobs/${encodeURIComponent(id)}`, { tenant });
    return jobView(job, tenant);
  }

  function jobView(job, tenant) {
    const root = el('div', { test: 'job-detail', 'data-id': job.id, 'data-state': job.state });
    const refresh = el('button', { type: 'button', class: 'secondary', test: 'refresh', text: 'Refresh', onclick: () => render() });
    const actions = el('div', { class: 'row' });
    const act = (kind, label, cls) => {
      const b = el('button', { type: 'button', class: cls, test: kind, text: label });
      b.addEventListener('click', () => withButton(b, async () => {
        const seq = renderSeq;
        try {
          const r = await api('POST', `api/jobs/${encodeURIComponent(job.id)}/${kind}`, { tenant: job.tenant || tenant });
          const verb = kind === 'retry' ? 'Retry' : 'Cancel';
          clearError();
          showNotice(r.changed
            ? `${verb}: done; the job is now ${r.job.state} (attempt ${r.job.attempt} of ${r.job.maxAttempts}).`
            : `${verb}: nothing changed; the job is ${r.job.state}.`);
          if (seq === renderSeq && r.job) {
            $('#view').replaceChildren(jobView(r.job, tenant));
          }
        } catch (err) {
          handleError(err);
        }
      }));
      return b;
    };
    if (job.state === 'FAILED') actions.append(act('retry', 'Retry', ''));
    if (job.state === 'PENDING' || job.state === 'RUNNING') actions.append(act('cancel', 'Cancel', 'danger'));
    actions.append(refresh, el('a', { class: 'button secondary', href: href.jobs({ tenant: job.tenant }), test: 'back-to-jobs', text: 'All jobs of this tenant' }));

    root.append(el('div', { class: 'toolbar' },
      el('h1', {}, 'Job ', el('span', { class: 'mono', test: 'job-id', text: job.id })), actions));

    const lease = job.lease ? [job.lease.owner, ' until ', timeEl(job.lease.expiresAt)] : null;
    const progress = job.progress
      ? [el('progress', { max: 100, value: Number(job.progress.percent || 0) }), ` ${job.progress.percent}%`, job.progress.message ? ` — ${job.progress.message}` : '']
      : null;
    root.append(el(
      'section',
      { class: 'panel' },
      el('h2', { text: 'Fields' }),
      el(
        'dl',
        { class: 'fields', test: 'job-fields' },
        dlRow('State', badge(job.state, 'job-state')),
        dlRow('Tenant', job.tenant, 'job-tenant'),
        dlRow('Type', job.type, 'job-type'),
        dlRow('Queue', job.queue),
        dlRow('Attempt', `${job.attempt} of ${job.maxAttempts}`, 'job-attempt'),
        dlRow('Priority', job.priority),
        dlRow('Created', timeEl(job.createdAt)),
        dlRow('Run at', timeEl(job.runAt)),
        dlRow('Started', timeEl(job.startedAt)),
        dlRow('Finished', timeEl(job.finishedAt)),
        dlRow('Heartbeat', timeEl(job.heartbeatAt)),
        dlRow('Lease', lease),
        dlRow('Progress', progress),
        dlRow('Timeout', job.timeoutMs === null || job.timeoutMs === undefined ? null : fmtMs(job.timeoutMs)),
        dlRow('Idempotency key', job.idempotencyKey ? el('span', { class: 'mono', text: job.idempotencyKey }) : null),
        dlRow('Traceparent', job.traceparent ? el('span', { class: 'mono', text: job.traceparent }) : null),
      ),
    ));

    if (job.error) {
      root.append(el(
        'section',
        { class: 'panel', test: 'job-error' },
        el('h2', { text: 'Error' }),
        el('p', { class: 'error-text', test: 'job-error-message', text: job.error.message || '(no message)' }),
        job.error.stackTrace ? el('pre', { test: 'job-stack', text: job.error.stackTrace }) : el('p', { class: 'muted', text: 'No stack trace.' }),
      ));
    }

    if (job.steps) {
      const rows = (job.steps.steps || []).map((st) => el(
        'tr',
        { test: 'step-row', 'data-name': st.name, 'data-state': st.state },
        el('td', { class: 'mono', text: st.name }),
        el('td', { text: st.kind || '' }),
        el('td', {}, badge(st.state, 'step-state')),
        el('td', { text: String(st.attempt) }),
        el('td', {}, timeEl(st.finishedAt || st.startedAt)),
        el('td', { class: 'mono', test: 'step-result', text: st.result || '' }),
        el('td', { class: 'error-cell', text: st.error || '' }),
      ));
      const signals = (job.steps.signals || []).map((sg) => sg.name).join(', ');
      root.append(el(
        'section',
        { class: 'panel', test: 'job-steps' },
        el('h2', { text: 'Steps' }),
        job.steps.compensation
          ? el('p', { test: 'job-saga' }, 'Compensation: ', badge(job.steps.compensation, 'saga-state'), job.steps.compensationReason ? ` — ${job.steps.compensationReason}` : '')
          : null,
        el('table', {},
          el('thead', {}, el('tr', {}, ['Step', 'Kind', 'State', 'Attempt', 'When', 'Result', 'Error'].map((h) => el('th', { text: h })))),
          el('tbody', {}, rows)),
        el('p', { class: 'muted', test: 'job-signals', text: signals ? `Signals received: ${signals}` : 'No signals received.' }),
      ));
    }

    const payloadText = typeof job.payload === 'string' ? job.payload : JSON.stringify(job.payload, null, 2);
    root.append(el('section', { class: 'panel' }, el('h2', { text: 'Payload' }), el('pre', { test: 'job-payload', text: payloadText === undefined ? 'null' : payloadText })));

    const md = job.metadata && typeof job.metadata === 'object' ? Object.keys(job.metadata).sort() : [];
    root.append(el(
      'section',
      { class: 'panel' },
      el('h2', { text: 'Metadata' }),
      md.length
        ? el('dl', { class: 'fields', test: 'job-metadata' }, md.map((k) => dlRow(k, String(job.metadata[k]))))
        : el('p', { class: 'muted', test: 'job-metadata', text: 'None.' }),
    ));
    return root;
  }

  // ---- alerts -----------------------------------------------------------------------------

  async function renderAlerts(route) {
    const state = route.params.get('state') || '';
    const before = route.params.get('before') || '';
    const data = await api('GET', 'api/alerts', { state, before });
    const alerts = Array.isArray(data.alerts) ? data.alerts : [];
    const root = el('div', { test: 'alerts' });

    const filter = select('state', [['', 'all states'], ['OPEN,ACKNOWLEDGED,SNOOZED', 'not resolved'], ...ALERT_STATES.map((s) => [s, s])], state, { test: 'alert-filter' });
    filter.addEventListener('change', () => navigate(href.alerts({ state: filter.value })));
    root.append(el('div', { class: 'toolbar' },
      el('h1', { text: 'Alerts' }),
      el('form', { class: 'inline-form', onsubmit: (ev) => ev.preventDefault() }, field('State', filter)),
      el('button', { type: 'button', class: 'secondary', test: 'refresh', text: 'Refresh', onclick: () => render() })));

    const rows = alerts.map((a) => alertRow(a));
    root.append(table(
      ['Alert', 'State', 'Message', 'Timeline', 'History', 'Actions'],
      rows,
      'No alerts.',
      'alerts-table',
    ));
    root.append(el(
      'div',
      { class: 'pager' },
      el('span', { class: 'muted', test: 'alerts-summary', text: `${alerts.length} alert${alerts.length === 1 ? '' : 's'}; newest first` }),
      before ? el('a', { class: 'button secondary', href: href.alerts({ state }), text: 'Newest' }) : null,
      data.next ? el('a', { class: 'button', href: href.alerts({ state, before: data.next }), test: 'alerts-older', text: 'Older alerts' }) : null,
    ));
    return root;
  }

  function alertRow(a) {
    const row = el('tr', { test: 'alert-row', 'data-id': a.id, 'data-rule': a.rule, 'data-subject': a.subject || '' });
    const history = Array.isArray(a.history) ? a.history : [];
    const actions = el('td', { class: 'actions-cell' });
    const run = (kind, params, button, label) => withButton(button, async () => {
      try {
        await api('POST', `api/alerts/${encodeURIComponent(a.id)}/${kind}`, params);
        clearError();
        showNotice(`Alert ${a.rule} / ${a.subject || '—'} ${label}.`);
      } catch (err) {
        handleError(err, row);
        if (err.status === 401) return;
        if (err.status !== 409) return;
      }
      render();
    });
    if (a.state !== 'RESOLVED') {
      const row1 = el('div', { class: 'row' });
      if (a.state !== 'ACKNOWLEDGED') {
        const ack = el('button', { type: 'button', class: 'small', test: 'ack', text: 'Ack' });
        ack.addEventListener('click', () => run('ack', undefined, ack, 'acknowledged'));
        row1.append(ack);
      }
      const minutes = el('input', {
        type: 'number', name: 'minutes', min: 1, max: 10080, value: 60, 'aria-label': 'Snooze minutes', test: 'snooze-minutes',
      });
      const snooze = el('button', { type: 'button', class: 'small secondary', test: 'snooze', text: 'Snooze' });
      snooze.addEventListener('click', () => run('snooze', { minutes: minutes.value.trim() }, snooze, `snoozed for ${minutes.value.trim()} min`));
      const resolve = el('button', { type: 'button', class: 'small secondary', test: 'resolve', text: 'Resolve' });
      resolve.addEventListener('click', () => run('resolve', undefined, resolve, 'resolved'));
      row1.append(el('span', { class: 'snooze' }, minutes, snooze), resolve);
      actions.append(row1);
    } else {
      actions.append(el('span', { class: 'muted', text: '—' }));
    }
    const who = (by, at) => (by || at ? [by || '', by && at ? ', ' : '', at ? timeEl(at) : ''] : el('span', { class: 'muted', text: '—' }));
    const line = (label, ...value) => el('div', { class: 'line' }, el('span', { class: 'muted', text: `${label} ` }), ...value);
    row.append(
      el('td', {},
        el('div', { class: 'strong', text: a.rule }),
        el('div', { test: 'alert-subject', text: a.subject || '—' }),
        el('div', { class: 'muted', text: a.tenant === null || a.tenant === undefined ? 'all tenants' : `tenant ${a.tenant}` })),
      el('td', {},
        el('div', {}, badge(a.state, 'alert-state'), ' ', a.severity ? badge(a.severity, 'alert-severity') : ''),
        line('acknowledged', el('span', { test: 'alert-acknowledged' }, who(a.acknowledgedBy, a.acknowledgedAt))),
        a.snoozedUntil ? line('snoozed until', timeEl(a.snoozedUntil)) : null,
        a.resolvedAt || a.resolvedBy ? line('resolved', who(a.resolvedBy, a.resolvedAt)) : null),
      el('td', { class: 'wrap', test: 'alert-message', text: a.message || '' }),
      el('td', {},
        line('opened', timeEl(a.openedAt)),
        line('updated', timeEl(a.updatedAt)),
        line('last seen', timeEl(a.lastSeenAt))),
      el('td', { class: 'history-cell' }, el(
        'details',
        { test: 'alert-history' },
        el('summary', { text: `${history.length} event${history.length === 1 ? '' : 's'}` }),
        el('ol', {}, history.map((h) => el('li', { test: 'alert-history-entry' }, timeEl(h.at), ' ', badge(h.state), ` by ${h.by || '?'}`, h.note ? ` — ${h.note}` : ''))),
      )),
      actions,
    );
    return row;
  }

  // ---- start ------------------------------------------------------------------------------

  async function boot() {
    $('#login-form').addEventListener('submit', onLogin);
    $('#logout').addEventListener('click', onLogout);
    window.addEventListener('hashchange', () => {
      clearError();
      clearNotice();
      render();
    });
    try {
      const data = await api('GET', 'api/session');
      signedIn(data);
    } catch (err) {
      if (err.status === 401) toLogin(null);
      else toLogin(err);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
