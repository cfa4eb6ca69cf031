// Payment router console. Plain JavaScript, no build step, no dependency.
//
// Every call goes to /console/api/*, which the router authorises by the HttpOnly session cookie
// (this script never sees the admin key or the session id). State-changing calls carry the
// session's CSRF token, read from GET /console/api/session, in X-CSRF-Token. Nothing is kept in
// browser storage. Pages re-read their data every few seconds while shown.
'use strict';

(function () {
  const POLL_MS = { providers: 3000, routing: 5000, charges: 3000, unsettled: 3000, conflicts: 5000, 'dead-letters': 5000 };
  const state = {
    csrf: null,
    page: null,
    timer: null,
    generation: 0,
    inForce: null,
    editorDirty: false,
    validatedText: null,
    versions: [],
    chargesQuery: null,
    openCharges: new Set(),
  };

  // ------------------------------------------------------------------ DOM helpers (no innerHTML)

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  const $ = (sel) => document.querySelector(sel);

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  /** A table cell labelled for the narrow (one card per row) layout. */
  function td(label, content, cls) {
    return h('td', { 'data-label': label, class: cls }, content);
  }

  function badge(text, kind) {
    return h('span', { class: 'badge ' + kind }, text);
  }

  // ------------------------------------------------------------------ formatting

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    const today = new Date();
    const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    if (d.toDateString() === today.toDateString()) return time;
    return d.toLocaleDateString([], { year: 'numeric', month: '2-digit', day: '2-digit' }) + ' ' + time;
  }

  function fmtAge(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  function minorDigits(currency) {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch (e) {
      return 2;
    }
  }

  function fmtAmount(amount, currency) {
    const d = minorDigits(currency);
    return (amount / Math.pow(10, d)).toFixed(d) + ' ' + currency;
  }

  function fmtMs(v) {
    return v === null || v === undefined ? '' : (Math.round(v * 10) / 10) + ' ms';
  }

  function statusBadge(status) {
    const kind = { succeeded: 'ok', declined: 'warn', failed: 'bad', pending: 'warn', processing: 'warn' }[status] || 'off';
    return badge(status, kind);
  }

  function attemptsSummary(attempts) {
    if (!attempts || attempts.length === 0) return h('span', { class: 'muted' }, 'none yet');
    const parts = [];
    attempts.forEach((a, i) => {
      if (i > 0) parts.push(' → ');
      parts.push(h('span', { class: 'attempt' }, a.provider + ' ', h('span', { class: 'muted' }, a.outcome)));
    });
    return h('span', {}, parts);
  }

  // ------------------------------------------------------------------ the API

  async function api(method, path, body, contentType) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = contentType || 'application/json';
      payload = contentType ? body : JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch('/console/api' + path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      banner('The router cannot be reached (' + e.message + '). Retrying.');
      throw e;
    }
    if (r.status === 401) {
      // The session ended (idle or absolute timeout, logout elsewhere): back to the login form.
      window.location.assign('/console');
      throw new Error('session ended');
    }
    const text = await r.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = { detail: text };
      }
    }
    if (r.status >= 500) banner('The router answered ' + r.status + ': ' + ((data && data.detail) || r.statusText));
    else banner(null);
    return { status: r.status, ok: r.ok, data };
  }

  function banner(text) {
    const b = $('#banner');
    if (!text) {
      b.hidden = true;
      return;
    }
    b.textContent = text;
    b.hidden = false;
  }

  /** A problem+json answer as the page shows it: its detail, then every field error. */
  function problemView(r) {
    const d = r.data || {};
    const list = (d.errors || []).map((e) => h('li', {}, (e.field ? e.field + ': ' : '') + e.message
        + (e.line ? ' (line ' + e.line + ')' : '')));
    return h('div', { class: 'problem-box' },
        h('p', { class: 'bad-text' }, (d.title || ('HTTP ' + r.status)) + (d.detail ? ': ' + d.detail : '')),
        list.length ? h('ul', { class: 'problem-list' }, list) : null);
  }

  function updated() {
    $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString([], { hour12: false });
  }

  // ------------------------------------------------------------------ YAML (rules documents) and diffs

  const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/;
  const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

  function scalar(v) {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    const s = String(v);
    return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
  }

  const isScalar = (v) => v === null || typeof v !== 'object';

  /** A rules document as block YAML (lists of scalars in flow style), the way routing.yaml is written. */
  function toYaml(value, indent) {
    const pad = ' '.repeat(indent || 0);
    const lines = [];
    if (Array.isArray(value)) {
      for (const item of value) {
        if (isScalar(item)) {
          lines.push(pad + '- ' + scalar(item));
        } else {
          const inner = toYaml(item, (indent || 0) + 2).split('\n');
          lines.push(pad + '- ' + inner[0].trimStart());
          for (const l of inner.slice(1)) lines.push(l);
        }
      }
      return lines.join('\n');
    }
    for (const [k, v] of Object.entries(value)) {
      const key = pad + scalar(k) + ':';
      if (isScalar(v)) lines.push(key + ' ' + scalar(v));
      else if (Array.isArray(v) && v.length === 0) lines.push(key + ' []');
      else if (Array.isArray(v) && v.every(isScalar)) lines.push(key + ' [' + v.map(scalar).join(', ') + ']');
      else if (!Array.isArray(v) && Object.keys(v).length === 0) lines.push(key + ' {}');
      else lines.push(key, toYaml(v, (indent || 0) + 2));
    }
    return lines.join('\n');
  }

  /** Line diff by longest common subsequence: [{op: ' ' | '-' | '+', text}]. */
  function diffLines(a, b) {
    const n = a.length;
    const m = b.length;
    const dp = [];
    for (let i = 0; i <= n; i++) dp.push(new Int32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
      }
    }
    const out = [];
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) {
        out.push({ op: ' ', text: a[i] });
        i++;
        j++;
      } else if (dp[i + 1][j] >= dp[i][j + 1]) {
        out.push({ op: '-', text: a[i++] });
      } else {
        out.push({ op: '+', text: b[j++] });
      }
    }
    while (i < n) out.push({ op: '-', text: a[i++] });
    while (j < m) out.push({ op: '+', text: b[j++] });
    return out;
  }

  // ------------------------------------------------------------------ providers

  async function loadProviders() {
    const r = await api('GET', '/providers');
    if (!r.ok) return;
    const rows = r.data.data || [];
    const tbody = clear($('#providers-table tbody'));
    const open = [];
    const disabled = [];
    const refused = [];
    for (const p of rows) {
      if (p.circuit !== 'CLOSED') open.push(p.name + ' (' + p.circuit.toLowerCase().replace('_', '-') + ')');
      if (!p.enabled) disabled.push(p.name);
      if (p.credentials === 'refused') refused.push(p.name);
      const rate = p.success_rate;
      const rateKind = rate < 0.8 ? 'bad' : rate < 0.98 ? 'warn' : '';
      const circuitKind = p.circuit === 'CLOSED' ? 'ok' : p.circuit === 'OPEN' ? 'bad' : 'warn';
      const rowKind = p.circuit === 'OPEN' ? 'row-bad' : (p.circuit !== 'CLOSED' || !p.enabled || rate < 0.98
          || p.credentials === 'refused') ? 'row-warn' : '';
      const button = p.enabled
        ? h('button', { type: 'button', class: 'danger', id: 'toggle-' + p.name, onclick: () => toggle(p.name, false) }, 'Disable')
        : h('button', { type: 'button', id: 'toggle-' + p.name, onclick: () => toggle(p.name, true) }, 'Enable');
      tbody.append(h('tr', { id: 'provider-' + p.name, class: rowKind },
        td('Provider', h('strong', {}, p.name)),
        td('Routing', p.enabled ? badge('enabled', 'ok') : badge('disabled', 'off'), 'c-enabled'),
        td('Circuit', h('span', {}, badge(p.circuit, circuitKind),
            p.open_on && p.open_on.length ? h('span', { class: 'muted small' }, ' open on ' + p.open_on.length + ' other') : null),
            'c-circuit'),
        td('Success', h('span', {}, (rate * 100).toFixed(1) + ' %',
            h('span', { class: 'meter ' + rateKind }, meterFill(rate)),
            h('span', { class: 'muted small' }, ' ' + p.samples + (p.samples === 0 ? ' samples yet' : ' samples'))), 'c-success num'),
        td('p50', p.samples ? fmtMs(p.p50_ms) : '–', 'num c-p50'),
        td('p99', p.samples ? fmtMs(p.p99_ms) : '–', 'num c-p99'),
        td('In flight', String(p.in_flight), 'num c-inflight'),
        td('Credentials', badge(p.credentials, p.credentials === 'accepted' ? 'ok' : p.credentials === 'refused' ? 'bad' : 'off'),
            'c-credentials'),
        td('Currencies', h('span', { class: 'small' }, (p.currencies || []).join(', '))),
        td('', button, 'c-action')));
    }
    if (rows.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 10, class: 'empty' }, 'No provider configured')));
    const parts = [rows.length + ' providers'];
    parts.push(open.length ? 'circuit not closed: ' + open.join(', ') : 'every circuit closed');
    if (disabled.length) parts.push('disabled: ' + disabled.join(', '));
    if (refused.length) parts.push('credentials refused: ' + refused.join(', '));
    const summary = clear($('#providers-summary'));
    summary.append(h('span', { class: open.length || refused.length ? 'bad-text' : '' }, parts.join(' · ')));
  }

  function meterFill(rate) {
    const span = h('span', {});
    span.style.width = Math.round(Math.max(0, Math.min(1, rate)) * 100) + '%';
    return span;
  }

  async function toggle(name, enable) {
    const r = await api('POST', '/providers/' + encodeURIComponent(name) + (enable ? '/enable' : '/disable'));
    if (!r.ok) banner('Could not ' + (enable ? 'enable ' : 'disable ') + name + ': ' + ((r.data && r.data.detail) || r.status));
    await loadProviders();
  }

  // ------------------------------------------------------------------ routing

  async function loadRouting() {
    const [cur, vers] = await Promise.all([api('GET', '/routing'), api('GET', '/routing/versions?limit=100')]);
    if (!state.shadowProblem) await loadShadow();
    if (!state.canaryProblem) await loadCanary();
    if (cur.ok) {
      state.inForce = cur.data;
      const f = cur.data.file || {};
      const card = clear($('#routing-in-force'));
      card.append(
        h('div', {}, h('strong', { id: 'in-force-version' }, 'Version ' + cur.data.version + ' in force'),
          ' ', h('span', { class: 'muted' }, 'from ' + cur.data.source)),
        h('div', { class: 'small' }, 'Routing file ', h('code', {}, f.path || ''), ': ',
          badge(f.status || 'unknown', f.status === 'in_force' ? 'ok' : f.status === 'superseded' ? 'off' : 'bad'),
          f.status === 'in_force' ? null : h('span', { class: 'muted' }, ' ' + (f.detail || ''))),
        h('pre', { class: 'rules', id: 'rules-in-force' }, toYaml(cur.data.rules)));
      if (!state.editorDirty) {
        $('#rules-editor').value = toYaml(cur.data.rules) + '\n';
        syncApply();
      }
    }
    if (vers.ok) {
      state.versions = vers.data.data || [];
      const tbody = clear($('#versions-table tbody'));
      for (const v of state.versions) {
        tbody.append(h('tr', { id: 'version-' + v.version },
          td('Version', h('span', {}, String(v.version), v.in_force ? h('span', {}, ' ', badge('in force', 'ok')) : null)),
          td('When', fmtTime(v.created_at), 'num'),
          td('Source', v.source),
          td('Changed by', v.changed_by || h('span', { class: 'muted' }, 'unknown'), 'c-changed-by'),
          td('Instance', h('span', { class: 'id' }, v.instance || '')),
          td('Rules', String(v.rule_count), 'num'),
          td('', v.in_force ? null : h('button', { type: 'button', class: 'secondary',
            onclick: () => compare(v.version, state.inForce && state.inForce.version) }, 'Compare with in force'))));
      }
      fillSelect($('#diff-from'), state.versions, state.versions.length > 1 ? state.versions[1].version : null);
      fillSelect($('#diff-to'), state.versions, state.versions.length ? state.versions[0].version : null);
    }
  }

  /** The shadow's counts over the fleet, or that none is installed. */
  async function loadShadow() {
    const r = await api('GET', '/routing/shadow');
    const out = clear($('#shadow-status'));
    if (r.status === 404) {
      out.append(h('p', { class: 'muted', id: 'shadow-none' }, 'No shadow rules are installed.'));
      return;
    }
    if (!r.ok) return;
    const d = r.data;
    out.append(h('p', { id: 'shadow-summary' }, 'Generation ' + d.generation + ': ',
      h('strong', { id: 'shadow-decisions' }, String(d.decisions)), ' live charges decided, ',
      h('strong', { id: 'shadow-diverged' }, String(d.diverged)), ' would have gone first to another provider (',
      String(Math.round((d.diverged_share || 0) * 1000) / 10) + ' %).'));
    const rows = (d.provider_pairs || []).map((p) => h('tr', {},
      td('In force', p.provider), td('Shadow', p.shadow_provider), td('Charges', String(p.decisions), 'num'),
      td('', p.diverged ? badge('diverges', 'bad') : badge('same', 'ok'))));
    out.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack', id: 'shadow-pairs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'In force'), h('th', {}, 'Shadow'), h('th', {}, 'Charges'), h('th', {}, ''))),
      h('tbody', {}, rows))));
  }

  async function installShadow() {
    const text = $('#rules-editor').value;
    const out = clear($('#shadow-status'));
    const r = await api('PUT', '/routing/shadow', text, 'application/yaml; charset=utf-8');
    state.shadowProblem = !r.ok;
    if (r.ok) await loadShadow();
    else out.append(problemsListing(text, r));
  }

  async function removeShadow() {
    await api('DELETE', '/routing/shadow');
    state.shadowProblem = false;
    await loadShadow();
  }

  /** Replays the window's stored charges through the editor's rules and shows what would have changed. */
  async function runBacktest() {
    const text = $('#rules-editor').value;
    const out = clear($('#backtest-result'));
    const check = await api('PUT', '/routing?dry_run=true', text, 'application/yaml; charset=utf-8');
    if (!check.ok) {
      out.append(problemsListing(text, check));
      return;
    }
    const to = new Date(Date.now() + 60000);
    const from = new Date(to.getTime() - 60000 - Number($('#backtest-window').value) * 1000);
    out.append(h('p', { class: 'muted', id: 'backtest-running' }, 'Replaying…'));
    const r = await api('POST', '/routing/backtest', JSON.stringify({ rules: check.data.rules,
      from: from.toISOString(), to: to.toISOString() }), 'application/json');
    clear(out);
    if (!r.ok) {
      out.append(h('p', { class: 'bad', id: 'backtest-problem' }, (r.data && (r.data.detail || r.data.title)) || String(r.status)));
      return;
    }
    const b = r.data;
    const pct = (x) => x == null ? '' : String(Math.round(x * 10000) / 100) + ' %';
    const ab = b.approval || {};
    const line = (x) => x ? pct(x.rate) + ' [' + pct(x.low) + ', ' + pct(x.high) + ']' : '';
    out.append(h('p', { id: 'backtest-summary' }, h('strong', { id: 'backtest-charges' }, String(b.charges)),
      ' charges replayed' + (b.truncated ? ' (window cut short)' : '') + ', ',
      h('strong', { id: 'backtest-changed' }, String(b.changed)), ' would have gone first to another provider. Approval '
      + line(ab.before) + ' → ' + line(ab.after) + '.'));
    const providers = Array.from(new Set(Object.keys(b.before || {}).concat(Object.keys(b.after || {})))).sort();
    const rows = providers.map((p) => h('tr', {}, td('Provider', p), td('Before', String((b.before || {})[p] || 0), 'num'),
      td('After', String((b.after || {})[p] || 0), 'num')));
    out.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack', id: 'backtest-providers' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Provider'), h('th', {}, 'Before'), h('th', {}, 'After'))),
      h('tbody', {}, rows))));
    const fees = (b.fees && b.fees.change) || {};
    const changes = Object.keys(fees).map((cur) => cur + ' ' + fees[cur]);
    if (changes.length) out.append(h('p', { class: 'small', id: 'backtest-fees' }, 'Expected fees change (minor units): ' + changes.join(', ') + '.'));
  }

  /** The running canary with the fleet's figures, or the newest finished one with its verdict. */
  async function loadCanary() {
    const r = await api('GET', '/routing/canary');
    const out = clear($('#canary-status'));
    if (r.status === 404) {
      out.append(h('p', { class: 'muted', id: 'canary-none' }, 'No canary has run.'));
      return;
    }
    if (!r.ok) return;
    const c = r.data;
    const f = c.figures || {};
    const stateBadge = badge(c.state.replace('_', ' '), c.state === 'running' ? 'off' : c.state === 'promoted' ? 'ok' : 'bad');
    out.append(h('p', { id: 'canary-summary' }, 'Canary ' + c.generation + ' ', h('span', { id: 'canary-state' }, stateBadge),
      c.reason ? h('span', { class: 'muted' }, ' (' + c.reason + ')') : null,
      ': ' + c.share_percent + ' % by ' + c.hash_by + ' against version ' + c.base_version
      + (c.promoted_version ? ', promoted as version ' + c.promoted_version : '')
      + '; guardrail ' + c.guardrail_pp + ' pp at ' + c.confidence + ', ' + c.min_sample + ' charges per arm, until '
      + fmtTime(c.ends_at) + '.'));
    const arm = (name, a) => h('tr', {}, td('Arm', name), td('Final charges', String(a ? a.charges : 0), 'num'),
      td('Approval', a ? String(Math.round(a.approval_rate * 10000) / 100) + ' %' : '', 'num'),
      td('Errors', a ? String(Math.round(a.error_rate * 10000) / 100) + ' %' : '', 'num'),
      td('Mean ms', a ? String(a.mean_latency_ms) : '', 'num'));
    out.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack', id: 'canary-arms' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Arm'), h('th', {}, 'Final charges'), h('th', {}, 'Approval'),
        h('th', {}, 'Errors'), h('th', {}, 'Mean ms'))),
      h('tbody', {}, arm('control (in force)', f.control), arm('canary (proposed)', f.canary)))));
    out.append(h('p', { class: 'small', id: 'canary-events' }, 'Steps: ' + (c.events || []).map((e) => e.event
      + ' ' + fmtTime(e.at)).join(', ') + (f.verdict ? '. Verdict now: ' + f.verdict : '')
      + (f.approval_drop_pp != null ? ', approval drop ' + f.approval_drop_pp + ' pp' : '') + '.'));
  }

  async function startCanary() {
    const text = $('#rules-editor').value;
    const out = clear($('#canary-status'));
    // the editor holds YAML: the router's own dry run turns it into the rules document (and reports its problems)
    const check = await api('PUT', '/routing?dry_run=true', text, 'application/yaml; charset=utf-8');
    if (!check.ok) {
      state.canaryProblem = true;
      out.append(problemsListing(text, check));
      return;
    }
    const body = { rules: check.data.rules, share_percent: Number($('#canary-share').value),
      min_sample: Number($('#canary-sample').value), guardrail_pp: Number($('#canary-guardrail').value),
      duration_seconds: Number($('#canary-duration').value), hash_by: $('#canary-hash').value };
    const r = await api('POST', '/routing/canary', JSON.stringify(body), 'application/json');
    state.canaryProblem = !r.ok;
    if (r.ok) await loadCanary();
    else out.append(h('p', { class: 'bad', id: 'canary-problem' }, (r.data && (r.data.detail || r.data.title)) || String(r.status),
      (r.data && r.data.errors || []).map((e) => ' ' + e.field + ': ' + e.message).join(';')));
  }

  async function stopCanary() {
    await api('DELETE', '/routing/canary');
    state.canaryProblem = false;
    await loadCanary();
  }

  function fillSelect(select, versions, dflt) {
    const keep = select.value;
    clear(select);
    for (const v of versions) select.append(h('option', { value: v.version }, 'version ' + v.version + (v.in_force ? ' (in force)' : '')));
    if (keep && versions.some((v) => String(v.version) === keep)) select.value = keep;
    else if (dflt !== null && dflt !== undefined) select.value = String(dflt);
  }

  function syncApply() {
    const text = $('#rules-editor').value;
    $('#rules-apply').disabled = state.validatedText === null || state.validatedText !== text;
  }

  async function validateRules() {
    const text = $('#rules-editor').value;
    const out = clear($('#rules-result'));
    const r = await api('PUT', '/routing?dry_run=true', text, 'application/yaml; charset=utf-8');
    if (r.ok) {
      state.validatedText = text;
      out.append(h('p', { class: 'ok-text', id: 'rules-valid' }, r.data.changes
        ? 'Valid. Applying it creates a new version after version ' + r.data.version_in_force + '.'
        : 'Valid, and the same as version ' + r.data.version_in_force + ' in force: applying it changes nothing.'));
    } else {
      state.validatedText = null;
      out.append(problemsListing(text, r));
    }
    syncApply();
  }

  async function applyRules() {
    const text = $('#rules-editor').value;
    if (text !== state.validatedText) return;
    const out = clear($('#rules-result'));
    const r = await api('PUT', '/routing', text, 'application/yaml; charset=utf-8');
    state.validatedText = null;
    if (r.ok) {
      state.editorDirty = false;
      out.append(h('p', { class: 'ok-text', id: 'rules-applied' }, 'Version ' + r.data.version + ' is in force.'));
      await loadRouting();
    } else {
      out.append(problemsListing(text, r));
    }
    syncApply();
  }

  /** The text with each problem right under its line (problems without a line above the listing). */
  function problemsListing(text, r) {
    const d = r.data || {};
    const errors = d.errors || [];
    const lines = text.replace(/\n$/, '').split('\n');
    const byLine = new Map();
    const loose = [];
    for (const e of errors) {
      if (e.line && e.line >= 1 && e.line <= lines.length) {
        if (!byLine.has(e.line)) byLine.set(e.line, []);
        byLine.get(e.line).push(e);
      } else {
        loose.push(e);
      }
    }
    const head = h('p', { class: 'bad-text', id: 'rules-invalid' }, errors.length
      ? errors.length + (errors.length === 1 ? ' problem' : ' problems') + '; nothing was changed.'
      : (d.detail || ('HTTP ' + r.status)));
    const listing = h('div', { class: 'listing', id: 'rules-listing' });
    lines.forEach((l, i) => {
      const n = i + 1;
      const probs = byLine.get(n) || [];
      listing.append(h('div', { class: 'ln' + (probs.length ? ' has-problem' : ''), 'data-line': n },
        h('span', { class: 'no' }, String(n)), h('span', { class: 'tx' }, l)));
      for (const p of probs) {
        listing.append(h('div', { class: 'problem', 'data-line': n, 'data-field': p.field },
          (p.field ? p.field + ': ' : '') + p.message));
      }
    });
    return h('div', {}, head,
      loose.length ? h('ul', { class: 'problem-list' }, loose.map((e) => h('li', { class: 'problem', 'data-field': e.field },
        (e.field ? e.field + ': ' : '') + e.message))) : null,
      errors.length ? listing : null);
  }

  async function compare(from, to) {
    if (from === null || from === undefined || to === null || to === undefined) return;
    $('#diff-from').value = String(from);
    $('#diff-to').value = String(to);
    await showDiff();
    $('#diff-result').scrollIntoView({ block: 'nearest' });
  }

  async function showDiff() {
    const a = $('#diff-from').value;
    const b = $('#diff-to').value;
    const out = clear($('#diff-result'));
    if (!a || !b) return;
    const [ra, rb] = await Promise.all([api('GET', '/routing/versions/' + a), api('GET', '/routing/versions/' + b)]);
    if (!ra.ok) return out.append(problemView(ra));
    if (!rb.ok) return out.append(problemView(rb));
    const ops = diffLines(toYaml(ra.data.rules).split('\n'), toYaml(rb.data.rules).split('\n'));
    const added = ops.filter((o) => o.op === '+').length;
    const removed = ops.filter((o) => o.op === '-').length;
    out.append(h('p', { id: 'diff-summary' }, 'Version ' + a + ' → version ' + b + ': ',
      added || removed ? h('span', {}, h('span', { class: 'ok-text' }, '+' + added), ' ', h('span', { class: 'bad-text' }, '−' + removed),
        ' lines') : 'no difference'));
    const listing = h('div', { class: 'listing', id: 'diff-listing' });
    for (const o of ops) {
      listing.append(h('div', { class: 'ln' + (o.op === '+' ? ' add' : o.op === '-' ? ' del' : '') },
        h('span', { class: 'sign' }, o.op), h('span', { class: 'tx' }, o.text)));
    }
    out.append(listing);
  }

  // ------------------------------------------------------------------ explain

  async function explain(ev) {
    ev.preventDefault();
    const out = clear($('#explain-result'));
    const body = { amount: Number.parseInt($('#explain-amount').value, 10), currency: $('#explain-currency').value.trim().toUpperCase() };
    if (Number.isNaN(body.amount)) body.amount = $('#explain-amount').value;
    const brand = $('#explain-brand').value;
    if (brand) body.brand = brand;
    const country = $('#explain-country').value.trim().toUpperCase();
    if (country) body.issuer_country = country;
    const merchant = $('#explain-merchant').value.trim();
    if (merchant) body.merchant = merchant;
    const card = $('#explain-card').value.trim();
    if (card) body.card_id = card;
    const meta = $('#explain-metadata').value.trim();
    if (meta) {
      body.metadata = {};
      for (const pair of meta.split(',')) {
        const i = pair.indexOf('=');
        if (i > 0) body.metadata[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
      }
    }
    const r = await api('POST', '/routing/explain', body);
    if (!r.ok) return out.append(problemView(r));
    const d = r.data;
    out.append(h('div', { class: 'card', id: 'explain-decision' },
      h('dl', { class: 'kv' },
        h('dt', {}, 'Rule'), h('dd', { id: 'explain-rule' }, d.rule === null ? h('span', { class: 'bad-text' }, 'no rule matched') : d.rule),
        h('dt', {}, 'Strategy'), h('dd', {}, d.strategy || ''),
        h('dt', {}, 'Candidates'), h('dd', { id: 'explain-candidates' }, d.candidates.length
          ? d.candidates.map((c, i) => (i + 1) + '. ' + c).join('   ') : h('span', { class: 'bad-text' }, 'none: the charge would fail')),
        h('dt', {}, 'Attempts'), h('dd', {}, 'at most ' + d.max_attempts + (d.failover_on_soft_decline ? ', failing over on soft declines' : '')),
        h('dt', {}, 'Rules version'), h('dd', {}, String(d.config_version)))));
    const rows = d.trace.map((t) => h('tr', {},
      td('Kind', t.kind), td('Subject', h('strong', {}, t.subject)),
      td('Verdict', badge(t.verdict, /^(matched|kept)$/.test(t.verdict) ? 'ok' : /dropped|no route/.test(t.verdict) ? 'bad' : 'off')),
      td('Reason', t.reason)));
    out.append(h('h2', {}, 'Trace'), h('div', { class: 'table-wrap' }, h('table', { class: 'stack', id: 'explain-trace' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Kind'), h('th', {}, 'Subject'), h('th', {}, 'Verdict'), h('th', {}, 'Reason'))),
      h('tbody', {}, rows))));
  }

  // ------------------------------------------------------------------ charges

  async function loadCharges() {
    const q = state.chargesQuery;
    let path = '/charges?limit=50';
    if (q) {
      path += '&' + q.by + '=' + encodeURIComponent(q.value);
      if (q.merchant) path += '&merchant=' + encodeURIComponent(q.merchant);
    }
    const r = await api('GET', path);
    const caption = $('#charges-caption');
    if (!r.ok) {
      clear(caption).append(problemView(r));
      return;
    }
    const list = r.data.data || [];
    caption.textContent = q
      ? list.length + (list.length === 1 ? ' charge' : ' charges') + ' with ' + (q.by === 'id' ? 'id ' : 'merchant reference ') + q.value
        + (q.merchant ? ' (merchant ' + q.merchant + ')' : '')
      : 'The ' + list.length + ' most recent charges, newest first. Click a charge for its attempts and routing.';
    const tbody = clear($('#charges-table tbody'));
    for (const c of list) {
      const open = state.openCharges.has(c.id);
      tbody.append(h('tr', { class: 'clickable', id: 'charge-' + c.id, 'data-charge': c.id, onclick: () => toggleCharge(c.id) },
        td('Created', fmtTime(c.created_at), 'num'),
        td('Charge', h('span', { class: 'id' }, c.id)),
        td('Merchant', c.merchant_id),
        td('Amount', fmtAmount(c.amount, c.currency), 'num'),
        td('Status', statusBadge(c.status), 'c-status'),
        td('Provider', c.provider || ''),
        td('Attempts', attemptsSummary(c.attempts), 'c-attempts'),
        td('Rule', c.routing ? c.routing.rule || '' : '')));
      if (open) tbody.append(chargeDetail(c));
    }
    if (list.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, q ? 'No charge found' : 'No charge yet')));
  }

  function toggleCharge(id) {
    if (state.openCharges.has(id)) state.openCharges.delete(id);
    else state.openCharges.add(id);
    loadCharges();
  }

  function chargeDetail(c) {
    const rows = c.attempts.map((a) => h('tr', {},
      td('#', String(a.seq), 'num'), td('Provider', a.provider), td('Outcome', a.outcome),
      td('Latency', a.latency_ms + ' ms', 'num'), td('Decline', a.decline_code || ''), td('Error', a.error || ''),
      td('PSP reference', h('span', { class: 'id' }, a.provider_reference || ''))));
    const r = c.routing;
    return h('tr', { class: 'detail', id: 'detail-' + c.id }, h('td', { colspan: 8, class: 'full' },
      h('dl', { class: 'kv' },
        h('dt', {}, 'Merchant reference'), h('dd', {}, c.merchant_reference || h('span', { class: 'muted' }, 'none')),
        h('dt', {}, 'Card'), h('dd', { class: 'id' }, c.card_id || ''),
        h('dt', {}, 'Routing'), h('dd', { class: 'c-routing' }, r
          ? 'rule ' + r.rule + ' (' + r.strategy + ', rules version ' + r.config_version + '), candidates in order: '
            + r.candidates.join(', ') : 'not routed'),
        h('dt', {}, 'Updated'), h('dd', {}, fmtTime(c.updated_at)),
        c.conflict ? h('dt', {}, 'Conflict') : null, c.conflict ? h('dd', { class: 'bad-text' }, c.conflict) : null),
      c.attempts.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'stack attempts' },
        h('thead', {}, h('tr', {}, ['#', 'Provider', 'Outcome', 'Latency', 'Decline', 'Error', 'PSP reference'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows))) : null,
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary', onclick: (ev) => {
        ev.stopPropagation();
        explainCharge(c);
      } }, 'Explain this charge now'))));
  }

  function explainCharge(c) {
    $('#explain-amount').value = String(c.amount);
    $('#explain-currency').value = c.currency;
    $('#explain-merchant').value = c.merchant_id;
    $('#explain-card').value = c.card_id || '';
    window.location.hash = '#explain';
  }

  function searchCharges(ev) {
    ev.preventDefault();
    const value = $('#charges-q').value.trim();
    const merchant = $('#charges-merchant').value.trim();
    state.chargesQuery = value ? { by: $('#charges-by').value, value, merchant } : null;
    refresh();
  }

  // ------------------------------------------------------------------ unsettled, conflicts, dead letters

  async function loadUnsettled() {
    const r = await api('GET', '/unsettled?limit=200');
    if (!r.ok) return;
    const list = r.data.data || [];
    $('#unsettled-caption').textContent = r.data.total === 0 ? 'Every charge is settled.'
      : r.data.total + ' unsettled' + (r.data.total > list.length ? ' (the oldest ' + list.length + ' shown)' : '')
        + '; the oldest is ' + fmtAge(list[0].age_seconds) + ' old.';
    const tbody = clear($('#unsettled-table tbody'));
    const now = Date.now();
    for (const u of list) {
      const next = u.next_check_at ? Math.round((new Date(u.next_check_at).getTime() - now) / 1000) : null;
      tbody.append(h('tr', { id: 'unsettled-' + u.id, class: u.age_seconds > 3600 ? 'row-bad' : u.age_seconds > 300 ? 'row-warn' : '' },
        td('Age', fmtAge(u.age_seconds), 'num c-age'),
        td('Charge', h('span', { class: 'id' }, u.id)),
        td('Merchant', u.merchant_id),
        td('Amount', fmtAmount(u.amount, u.currency), 'num'),
        td('Status', statusBadge(u.internal_status)),
        td('Attempts', attemptsSummary(u.attempts)),
        td('Owner', h('span', { class: 'id' }, u.owner || 'nobody')),
        td('Checks', String(u.checks), 'num'),
        td('Next check', next === null ? '' : next <= 0 ? 'due' : 'in ' + fmtAge(next), 'num')));
    }
    if (list.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'Nothing unsettled')));
  }

  async function loadConflicts() {
    const r = await api('GET', '/conflicts?limit=100');
    if (!r.ok) return;
    const list = r.data.data || [];
    $('#conflicts-caption').textContent = list.length ? list.length + ' conflicts (newest first)' : 'No conflict recorded.';
    const tbody = clear($('#conflicts-table tbody'));
    for (const c of list) {
      tbody.append(h('tr', { class: 'row-bad' },
        td('When', fmtTime(c.created_at), 'num'), td('Charge', h('span', { class: 'id' }, c.charge_id)),
        td('Provider', c.provider), td('Source', c.source), td('Charge is', statusBadge(c.charge_status)),
        td('Reported', c.reported_outcome), td('Detail', c.detail || '')));
    }
    if (list.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No conflict')));
  }

  async function loadDeadLetters() {
    const r = await api('GET', '/dead-letters?limit=100');
    if (!r.ok) return;
    const list = r.data.data || [];
    $('#dead-letters-caption').textContent = r.data.total ? r.data.total + ' dead letters (newest first)' : 'No dead letter.';
    const tbody = clear($('#dead-letters-table tbody'));
    for (const d of list) {
      tbody.append(h('tr', { class: 'row-bad' },
        td('When', fmtTime(d.created_at), 'num'), td('Queue', d.queue), td('SQLSTATE', d.sqlstate || ''),
        td('Error', d.error || ''), td('Payload', h('pre', { class: 'payload' }, JSON.stringify(d.payload, null, 1)))));
    }
    if (list.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'Nothing refused')));
  }

  // ------------------------------------------------------------------ pages and polling

  const PAGES = {
    providers: loadProviders,
    routing: loadRouting,
    explain: null,
    charges: loadCharges,
    unsettled: loadUnsettled,
    conflicts: loadConflicts,
    'dead-letters': loadDeadLetters,
  };

  function show(page) {
    if (!(page in PAGES)) page = 'providers';
    state.page = page;
    for (const s of document.querySelectorAll('.page')) s.hidden = s.id !== 'page-' + page;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === page);
    refresh();
  }

  /** Loads the page shown now, then again every few seconds while it stays shown. */
  async function refresh() {
    clearTimeout(state.timer);
    const generation = ++state.generation;
    const page = state.page;
    const load = PAGES[page];
    if (!load) return;
    try {
      await load();
      updated();
    } catch (e) {
      // shown in the banner by api(); try again at the next tick
    }
    if (generation === state.generation && POLL_MS[page]) state.timer = setTimeout(refresh, POLL_MS[page]);
  }

  async function logout() {
    try {
      await fetch('/console/logout', { method: 'POST', headers: { 'X-CSRF-Token': state.csrf }, credentials: 'same-origin' });
    } finally {
      window.location.assign('/console');
    }
  }

  async function start() {
    const r = await fetch('/console/api/session', { credentials: 'same-origin', cache: 'no-store' });
    if (r.status !== 200) {
      window.location.assign('/console');
      return;
    }
    const s = await r.json();
    state.csrf = s.csrf_token;
    $('#logout').title = 'session ' + s.session + ', ends at ' + fmtTime(s.expires_at) + ' at the latest';
    $('#logout').addEventListener('click', logout);
    $('#rules-editor').addEventListener('input', () => {
      state.editorDirty = true;
      syncApply();
    });
    $('#rules-validate').addEventListener('click', validateRules);
    $('#rules-apply').addEventListener('click', applyRules);
    $('#shadow-install').addEventListener('click', installShadow);
    $('#shadow-remove').addEventListener('click', removeShadow);
    $('#backtest-run').addEventListener('click', runBacktest);
    $('#canary-start').addEventListener('click', startCanary);
    $('#canary-stop').addEventListener('click', stopCanary);
    $('#rules-reset').addEventListener('click', () => {
      state.editorDirty = false;
      state.validatedText = null;
      clear($('#rules-result'));
      if (state.inForce) $('#rules-editor').value = toYaml(state.inForce.rules) + '\n';
      syncApply();
    });
    $('#diff-show').addEventListener('click', showDiff);
    $('#explain-form').addEventListener('submit', explain);
    $('#charges-search').addEventListener('submit', searchCharges);
    $('#charges-clear').addEventListener('click', () => {
      $('#charges-q').value = '';
      state.chargesQuery = null;
      refresh();
    });
    window.addEventListener('hashchange', () => show(window.location.hash.slice(1)));
    show(window.location.hash.slice(1) || 'providers');
  }

  document.addEventListener('DOMContentLoaded', start);
})();
