// Orch dashboard: shared helpers. Every value from the server (run summaries, agent text, event data) is put into
// the page with textContent / setAttribute only, never as HTML, so nothing an agent writes can become markup.
'use strict';

const Orch = {
  TERMINAL: ['completed', 'failed', 'cancelled', 'rejected'],

  /** Creates an element: el('td', {class: 'x', 'data-run-id': id}, 'text', childNode...). */
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  },

  /** fetch + JSON; throws Error(message of the server's {error}) on a non-2xx answer. */
  async api(path, options) {
    const r = await fetch(path, Object.assign({credentials: 'same-origin'}, options || {}));
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  },

  post(path, body) {
    return Orch.api(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body || {})});
  },

  age(iso) {
    if (!iso) return '';
    const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm';
    if (s < 86400) return Math.floor(s / 3600) + 'h';
    return Math.floor(s / 86400) + 'd';
  },

  /** Tokens (and reported cost) of a run's reported usage, as reported by its backend. */
  usageText(u) {
    if (!u || typeof u !== 'object') return '';
    const t = (u.usage && typeof u.usage === 'object') ? u.usage : u;
    const inTok = Number(t.input_tokens || 0), outTok = Number(t.output_tokens || 0);
    let s = '';
    if (inTok || outTok) s = Orch.num(inTok) + ' in · ' + Orch.num(outTok) + ' out';
    if (typeof u.total_cost_usd === 'number') s += (s ? ' · ' : '') + '$' + u.total_cost_usd.toFixed(4);
    return s;
  },

  num(n) {
    return n >= 10000 ? (n / 1000).toFixed(1) + 'k' : String(n);
  },

  describe(type, d) {
    d = d || {};
    switch (type) {
      case 'agent_message': case 'reasoning': return d.text || '';
      case 'message_added': return d.text || d.role || '';
      case 'command_started': case 'command_updated': return d.command || '';
      case 'command_finished': return (d.command || '') + (d.exit_code !== undefined && d.exit_code !== null ? ' (exit ' + d.exit_code + ')' : '');
      case 'file_changed': return (d.changes || []).map(c => (c.kind || '') + ' ' + (c.path || '')).join(', ');
      case 'tool_started': case 'tool_finished': return (d.server ? d.server + '.' : '') + (d.tool || '');
      case 'input_required': case 'auth_required': case 'rejected': return d.text || d.message || '';
      case 'status_changed': return (d.status || '') + (d.reason ? ' (' + d.reason + ')' : '');
      case 'run_completed': return d.final_response || '';
      case 'run_failed': return d.message || '';
      default: return '';
    }
  },

  setConn(state, text) {
    const c = document.getElementById('conn');
    if (c) { c.dataset.state = state; c.textContent = text; }
  },

  showError(message) {
    const e = document.getElementById('error');
    if (!e) return;
    e.hidden = !message;
    e.textContent = message || '';
  },
};
