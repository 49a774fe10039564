import { api, ApiError } from '../api.js';
import { esc } from '../format.js';

const $ = (id) => document.getElementById(id);

/**
 * The sidebar: pick a scenario, edit its YAML, set overrides, seed and replications, check it or run it
 * on the server, and watch the run's progress (server-sent events). Problems come back located (file,
 * line, column, field path); clicking one selects that line in the editor.
 */
export function scenarioPanel({ onChecked, onProblems, onRunDone }) {
  let original = '';
  let following = null;
  let current = null; // id of the simulation last started from this page

  const body = () => {
    const text = $('scenario-text').value;
    const overrides = $('overrides')
      .value.split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const b = { scenario: $('scenario-select').value, overrides };
    if (text !== original) b.text = text;
    const seed = $('seed').value.trim();
    const reps = $('replications').value.trim();
    if (seed !== '') b.seed = Number(seed);
    if (reps !== '') b.replications = Number(reps);
    return b;
  };

  function showIssues(err) {
    const box = $('issues');
    box.hidden = false;
    if (err.issues) {
      box.innerHTML = `<div class="issues-title">${esc(err.message)}</div><ul>${err.issues
        .map(
          (i, k) => `
        <li class="issue" data-k="${k}"><code>${esc(i.file)}${i.line > 0 ? `:${i.line}:${i.column}` : ''}</code>
        ${i.path ? `<span class="path">${esc(i.path)}</span>` : ''}<span class="msg">${esc(i.message)}</span>
        ${i.hint ? `<span class="hint">${esc(i.hint)}</span>` : ''}<span class="code">${esc(i.code)}</span></li>`,
        )
        .join('')}</ul>`;
      box
        .querySelectorAll('li.issue')
        .forEach((li) => li.addEventListener('click', () => goToLine(err.issues[Number(li.dataset.k)])));
    } else {
      box.innerHTML = `<div class="issues-title">${esc(err.message)}</div>${err.code ? `<div class="code">${esc(err.code)}</div>` : ''}`;
    }
  }

  function clearIssues() {
    $('issues').hidden = true;
    $('issues').innerHTML = '';
  }

  function goToLine(issue) {
    if (!issue || issue.line <= 0 || issue.file !== $('scenario-select').value) return;
    $('editor').open = true;
    const ta = $('scenario-text');
    const lines = ta.value.split('\n');
    const start = lines.slice(0, issue.line - 1).reduce((n, l) => n + l.length + 1, 0);
    ta.focus();
    ta.setSelectionRange(start, start + (lines[issue.line - 1]?.length ?? 0));
    ta.scrollTop = Math.max(0, (issue.line - 5) * 16);
  }

  function setProgress(state, text) {
    const p = $('progress');
    p.hidden = false;
    p.dataset.status = state.status;
    p.querySelector('.fill').style.width = `${Math.round((state.fraction ?? 0) * 100)}%`;
    p.querySelector('.label').textContent = text;
    $('cancel-btn').hidden = state.status !== 'running';
  }

  async function loadScenario(name) {
    const { text } = await api.scenarioText(name);
    original = text;
    $('scenario-text').value = text;
    clearIssues();
    await check();
  }

  let checks = 0;
  async function check() {
    // The status of the previous check is not this text's: a test (or a user) waiting for "OK" waits
    // for this check's answer; an answer overtaken by a later check is dropped.
    const mine = ++checks;
    $('scenario-status').textContent = 'checking…';
    $('scenario-status').className = 'status';
    try {
      const r = await api.checkScenario(body());
      if (mine !== checks) return false;
      clearIssues();
      $('scenario-status').textContent = 'scenario OK';
      $('scenario-status').className = 'status ok';
      onChecked(r.scenario, r.summary);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (mine !== checks) return false;
      $('scenario-status').textContent = err.issues
        ? `${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`
        : 'error';
      $('scenario-status').className = 'status bad';
      showIssues(err);
      if (err.issues) onProblems(err);
      return false;
    }
  }

  async function run() {
    if (following) return;
    $('run-btn').disabled = true;
    // The previous run's status is not this one's (a wait for "done" must not end on it).
    delete $('progress').dataset.status;
    try {
      const r = await api.startSimulation(body());
      clearIssues();
      const s = r.simulation;
      current = s.id;
      setProgress(s, `starting ${s.scenario}…`);
      following = api.followSimulation(r.events, {
        onProgress: (st) =>
          setProgress(
            st,
            `simulating ${st.scenario}: replication ${Math.min(st.replication + 1, st.replications)} of ${st.replications} · ${Math.round(st.fraction * 100)} %`,
          ),
        onDone: (st) => {
          following = null;
          $('run-btn').disabled = false;
          setProgress(st, `done in ${st.wallSeconds.toFixed(2)} s → ${st.runId}`);
          onRunDone(st.runId);
        },
        onFailed: (st) => {
          following = null;
          $('run-btn').disabled = false;
          const cancelled = st.status === 'cancelled';
          setProgress(
            { ...st, status: cancelled ? 'cancelled' : 'failed' },
            cancelled ? 'cancelled' : 'failed',
          );
          showIssues({
            message: cancelled
              ? 'The simulation was cancelled.'
              : `The simulation failed: ${st.error?.message ?? 'unknown error'}`,
            code: st.error?.code,
          });
        },
      });
    } catch (err) {
      $('run-btn').disabled = false;
      if (!(err instanceof ApiError)) throw err;
      if (err.issues) {
        $('scenario-status').textContent =
          `${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`;
        $('scenario-status').className = 'status bad';
        onProblems(err);
      }
      showIssues(err);
    }
  }

  async function init() {
    const { scenarios, default: def } = await api.scenarios();
    const sel = $('scenario-select');
    sel.innerHTML = scenarios
      .map((s) => `<option value="${esc(s.name)}" title="${esc(s.description)}">${esc(s.name)}</option>`)
      .join('');
    const describe = () => {
      $('scenario-desc').textContent = scenarios.find((s) => s.name === sel.value)?.description ?? '';
    };
    sel.value = def ?? scenarios[0]?.name ?? '';
    describe();
    sel.addEventListener('change', () => {
      describe();
      void loadScenario(sel.value);
    });
    $('check-btn').addEventListener('click', () => void check());
    $('run-btn').addEventListener('click', () => void run());
    // The server stops the worker; the event stream then ends with `cancelled`.
    $('cancel-btn').addEventListener(
      'click',
      () => void (current && api.cancelSimulation(current).catch((err) => showIssues(err))),
    );
    $('reset-text').addEventListener('click', () => {
      $('scenario-text').value = original;
      void check();
    });
    if (sel.value) await loadScenario(sel.value);
  }

  return { init, check, run, goToLine };
}
