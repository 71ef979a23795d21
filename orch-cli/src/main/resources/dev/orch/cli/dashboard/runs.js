// Orch dashboard: the live runs table. Rows come from the SSE stream /api/stream (event "runs": the whole table
// whenever anything changed); each row is <tr data-run-id data-status>, its cancel button data-action="cancel".
'use strict';

(function () {
  const tbody = document.querySelector('#runs tbody');
  const empty = document.getElementById('empty');
  let rows = [];

  const byId = new Map(); // run_id -> <tr>, updated in place so rows (and their buttons) stay the same nodes

  function cell(cls) {
    return Orch.el('td', {class: cls});
  }

  function newRow(r) {
    const tr = Orch.el('tr', {'data-run-id': r.run_id});
    const link = Orch.el('a', {href: '/runs/' + encodeURIComponent(r.run_id)});
    const status = Orch.el('span', {class: 'status'});
    const tdStatus = cell('status-cell');
    tdStatus.appendChild(status);
    const tdAgent = cell('agent');
    tdAgent.appendChild(link);
    tr.append(tdStatus, cell('backend'), tdAgent, cell('role'), cell('summary'), cell('age'), cell('usage'),
      cell('actions'));
    return tr;
  }

  function update(tr, r) {
    const terminal = Orch.TERMINAL.includes(r.status);
    tr.dataset.status = r.status;
    const status = tr.querySelector('span.status');
    status.dataset.status = r.status;
    status.textContent = r.status;
    tr.querySelector('td.backend').textContent = r.backend || '';
    tr.querySelector('td.agent a').textContent = r.agent_name || r.run_id;
    tr.querySelector('td.role').textContent = r.role || '';
    const summary = tr.querySelector('td.summary');
    summary.textContent = r.summary || '';
    summary.title = r.cwd || '';
    const age = tr.querySelector('td.age');
    age.textContent = Orch.age(r.started_at);
    age.title = r.started_at || '';
    tr.querySelector('td.usage').textContent = Orch.usageText(r.usage);
    const actions = tr.querySelector('td.actions');
    const button = actions.querySelector('button[data-action="cancel"]');
    if (terminal && button) button.remove();
    if (!terminal && !button) {
      actions.appendChild(Orch.el('button', {type: 'button', 'data-action': 'cancel', 'data-run-id': r.run_id},
        'Cancel'));
    }
  }

  function render() {
    const seen = new Set();
    for (const r of rows) {
      seen.add(r.run_id);
      let tr = byId.get(r.run_id);
      if (!tr) {
        tr = newRow(r);
        byId.set(r.run_id, tr);
      }
      update(tr, r);
      tbody.appendChild(tr); // moves an existing row into order
    }
    for (const [id, tr] of byId) {
      if (!seen.has(id)) {
        tr.remove();
        byId.delete(id);
      }
    }
    empty.hidden = rows.length > 0;
  }

  tbody.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-action="cancel"]');
    if (!b) return;
    b.disabled = true;
    try {
      await Orch.post('/api/runs/' + encodeURIComponent(b.dataset.runId) + '/cancel');
      Orch.showError('');
    } catch (e) {
      Orch.showError('Cancel failed: ' + e.message);
      b.disabled = false;
    }
  });

  const source = new EventSource('/api/stream');
  source.addEventListener('runs', (ev) => {
    rows = JSON.parse(ev.data).runs || [];
    render();
    Orch.setConn('live', 'live');
  });
  source.onerror = () => Orch.setConn('lost', 'reconnecting…');
  setInterval(render, 5000); // keep the age column moving
})();
