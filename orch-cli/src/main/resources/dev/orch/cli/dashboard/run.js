// Orch dashboard: one run. Live events from /api/runs/<id>/stream (SSE: "event" per event, "run" with the run
// detail, "end" when terminal); the question of a waiting run with an answer form (data-action="continue");
// cancel (data-action="cancel"); large fields read by byte range from /api/runs/<id>/artifact.
'use strict';

(function () {
  const id = decodeURIComponent(location.pathname.split('/').pop());
  const main = document.getElementById('run');
  const list = document.getElementById('events');
  const cancel = document.getElementById('cancel');
  const form = document.getElementById('answer');
  const answer = document.getElementById('answer-text');
  let lastSeq = 0;
  main.dataset.runId = id;

  function showRun(r) {
    main.dataset.status = r.status;
    const st = document.getElementById('status');
    st.textContent = r.status;
    st.dataset.status = r.status;
    document.getElementById('title').textContent = (r.agent_name || '') + ' · ' + r.backend + ' · ' + (r.role || '');
    document.getElementById('meta').textContent = 'run ' + r.run_id + ' · started ' + (r.started_at || '') + ' · '
      + (r.cwd || '') + (r.error ? ' · ' + r.error : '');
    document.getElementById('summary').textContent = r.summary || '';
    cancel.hidden = Orch.TERMINAL.includes(r.status);
    const q = document.getElementById('question');
    const waiting = r.status === 'input_required' || r.status === 'auth_required';
    q.hidden = !waiting;
    if (waiting && r.question) {
      const parts = [r.question.text || r.question.message || ''];
      if (r.question.tool) parts.push('tool: ' + r.question.tool);
      if (r.question.input) parts.push(JSON.stringify(r.question.input, null, 2));
      document.getElementById('question-text').textContent = parts.filter(Boolean).join('\n');
    }
    const out = document.getElementById('outcome');
    const fin = r.result && r.result.final_response;
    out.hidden = !fin;
    document.getElementById('final').textContent = fin || '';
  }

  function addEvent(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    const li = Orch.el('li', {'data-seq': e.seq, 'data-type': e.type},
      Orch.el('span', {class: 'seq'}, '#' + e.seq), Orch.el('span', {class: 'type'}, e.type),
      Orch.describe(e.type, e.data));
    const refs = (e.data && e.data.artifact_refs) || {};
    for (const [pointer, ref] of Object.entries(refs)) {
      li.appendChild(Orch.el('button', {type: 'button', 'data-seq': e.seq, 'data-field-path': pointer,
        'data-action': 'artifact'}, pointer + ' (' + (ref.total_bytes || '?') + ' B)'));
    }
    list.appendChild(li);
  }

  let artifact = null;
  async function loadArtifact(seq, fieldPath, offset) {
    const q = new URLSearchParams({seq: String(seq), field_path: fieldPath, offset: String(offset), limit: '16384'});
    const a = await Orch.api('/api/runs/' + encodeURIComponent(id) + '/artifact?' + q);
    artifact = {seq, fieldPath, next: a.offset + a.returned_bytes};
    document.getElementById('artifact').hidden = false;
    document.getElementById('artifact-name').textContent = '#' + seq + ' ' + fieldPath;
    document.getElementById('artifact-range').textContent = 'bytes ' + a.offset + '–' + (a.offset + a.returned_bytes)
      + ' of ' + a.total_bytes + ' (' + a.mime + ')';
    document.getElementById('artifact-content').textContent = a.content;
    document.getElementById('artifact-more').hidden = !a.has_more;
  }

  list.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action="artifact"]');
    if (b) loadArtifact(Number(b.dataset.seq), b.dataset.fieldPath, 0).catch(e => Orch.showError(e.message));
  });
  document.getElementById('artifact-more').addEventListener('click', () => {
    if (artifact) loadArtifact(artifact.seq, artifact.fieldPath, artifact.next).catch(e => Orch.showError(e.message));
  });

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await Orch.post('/api/runs/' + encodeURIComponent(id) + '/cancel');
      Orch.showError('');
    } catch (e) {
      Orch.showError('Cancel failed: ' + e.message);
    } finally {
      cancel.disabled = false;
    }
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = answer.value.trim();
    if (!text) return;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await Orch.post('/api/runs/' + encodeURIComponent(id) + '/continue', {text});
      answer.value = '';
      document.getElementById('question').hidden = true;
      Orch.showError('');
    } catch (e) {
      Orch.showError('Answer not delivered: ' + e.message);
    } finally {
      button.disabled = false;
    }
  });

  function connect() {
    const source = new EventSource('/api/runs/' + encodeURIComponent(id) + '/stream?after=' + lastSeq);
    source.addEventListener('event', (ev) => addEvent(JSON.parse(ev.data)));
    source.addEventListener('run', (ev) => { showRun(JSON.parse(ev.data)); Orch.setConn('live', 'live'); });
    source.addEventListener('end', () => { source.close(); Orch.setConn('done', 'run ended'); });
    source.onerror = () => Orch.setConn('lost', 'reconnecting…');
  }

  Orch.api('/api/runs/' + encodeURIComponent(id)).then(showRun).then(connect)
    .catch(e => Orch.showError(e.message));
})();
