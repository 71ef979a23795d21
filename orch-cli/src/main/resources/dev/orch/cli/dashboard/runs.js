// Orch dashboard: the live runs table. Rows come from the SSE stream /api/stream (event "runs": the whole table
// whenever anything changed); each row is <tr data-run-id data-status>, its cancel button data-action="cancel".
'use strict';

(function () {
  const tbody = document.querySelector('#runs tbody');
  const empty = document.getElementById('empty');
  let rows = [];

  function render() {
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const terminal = Orch.TERMINAL.includes(r.status);
      const tr = Orch.el('tr', {'data-run-id': r.run_id, 'data-status': r.status},
        Orch.el('td', {}, Orch.el('span', {class: 'status', 'data-status': r.status}, r.status)),
        Orch.el('td', {class: 'backend'}, r.backend || ''),
        Orch.el('td', {class: 'agent'}, Orch.el('a', {href: '/runs/' + encodeURIComponent(r.run_id)}, r.agent_name || r.run_id)),
        Orch.el('td', {class: 'role'}, r.role || ''),
        Orch.el('td', {class: 'summary', title: r.cwd || ''}, r.summary || ''),
        Orch.el('td', {class: 'age', title: r.started_at || ''}, Orch.age(r.started_at)),
        Orch.el('td', {class: 'usage'}, Orch.usageText(r.usage)),
        Orch.el('td', {class: 'actions'}, terminal ? null
          : Orch.el('button', {type: 'button', 'data-action': 'cancel', 'data-run-id': r.run_id}, 'Cancel')));
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
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
