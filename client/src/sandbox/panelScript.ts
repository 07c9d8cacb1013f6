/**
 * The report panel's script, run inside the webview (inline, allowed by its nonce). It builds the
 * page with DOM calls and `textContent` only, so module output can never become markup. Messages:
 * `start` (a new run), `progress` (output, sample, violation), `report` (the final report),
 * `failed` (no report came), `restore` (the whole run, after VS Code reloaded a hidden page).
 * After drawing a finished run it posts `rendered`, what the page shows, for the in-editor tests.
 */
export const PANEL_SCRIPT = String.raw`
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  let samples = [];
  let output = { stdout: '', stderr: '' };
  let violations = [];
  const MAX_TEXT = 200000;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function bytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MiB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
    return n + ' B';
  }
  function setOutput() {
    $('stdout').textContent = output.stdout || '(nothing)';
    $('stderr').textContent = output.stderr || '(nothing)';
  }
  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // A line chart with a y axis (0 and the maximum, in the chart's unit) and a time axis (0 and the
  // run's length in ms), so the reader can tell what the line measures.
  function chart(target, points, value, label, format) {
    const w = 320, h = 120, left = 52, right = 8, top = 8, bottom = 20;
    target.textContent = '';
    const svg = svgEl('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
    const last = points.length ? value(points[points.length - 1]) : 0;
    const max = Math.max(1, ...points.map(value));
    const tmax = Math.max(1, ...points.map((p) => p.atMs));
    svg.setAttribute('aria-label', label + ': ' + format(last) + ' at the end, ' + format(max) + ' at most');
    const x0 = left, x1 = w - right, y0 = h - bottom, y1 = top;
    svg.appendChild(svgEl('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }));
    svg.appendChild(svgEl('line', { x1: x0, x2: x0, y1: y0, y2: y1, class: 'axis' }));
    svg.appendChild(svgEl('text', { x: x0 - 4, y: y1 + 8, 'text-anchor': 'end', class: 'tick y-max' }, format(max)));
    svg.appendChild(svgEl('text', { x: x0 - 4, y: y0, 'text-anchor': 'end', class: 'tick y-min' }, format(0)));
    svg.appendChild(svgEl('text', { x: x0, y: h - 4, 'text-anchor': 'start', class: 'tick x-min' }, '0 ms'));
    svg.appendChild(svgEl('text', { x: x1, y: h - 4, 'text-anchor': 'end', class: 'tick x-max' }, tmax.toFixed(0) + ' ms'));
    if (points.length) {
      const d = points.map((p, i) => (i ? 'L' : 'M') + (x0 + (p.atMs / tmax) * (x1 - x0)).toFixed(1) + ' ' + (y0 - (value(p) / max) * (y0 - y1)).toFixed(1)).join(' ');
      svg.appendChild(svgEl('path', { d: d, class: 'line' }));
    }
    target.appendChild(svg);
    target.appendChild(el('div', label + ': ' + format(last) + ' (max ' + format(max) + ', over ' + tmax.toFixed(0) + ' ms)', 'caption'));
  }
  function drawCharts() {
    chart($('memChart'), samples, (s) => s.memoryBytes, 'Memory', bytes);
    chart($('callChart'), samples, (s) => s.hostCalls, 'Host calls', (n) => String(n));
  }
  function drawViolations() {
    const list = $('violations');
    list.textContent = '';
    if (!violations.length) list.appendChild(el('li', 'none', 'none'));
    for (const v of violations) {
      const args = Object.entries(v.args).map(([k, x]) => k + '=' + JSON.stringify(x)).join(' ');
      const li = el('li');
      li.appendChild(el('code', v.call + '(' + args + ')'));
      li.appendChild(el('span', ' — ' + v.reason));
      list.appendChild(li);
    }
  }
  function table(target, rows) {
    target.textContent = '';
    for (const [k, v] of rows) {
      const tr = el('tr');
      tr.appendChild(el('th', k));
      tr.appendChild(el('td', v));
      target.appendChild(tr);
    }
  }

  // Components with wasi:http: each request sent to the handler and each one it made, with the answer.
  function drawHttp(exchanges) {
    const target = $('http');
    target.textContent = '';
    $('httpSection').hidden = !exchanges || !exchanges.length;
    for (const x of exchanges || []) {
      const box = el('details', undefined, 'exchange ' + x.direction);
      box.open = x.direction === 'incoming';
      const answer = x.response ? String(x.response.status) : 'no response: ' + x.error;
      const by = x.answeredBy ? ' [' + x.answeredBy + ']' : '';
      box.appendChild(el('summary', (x.direction === 'incoming' ? '→ ' : '← ') + x.method + ' ' + x.url + ' — ' + answer + by + ', ' + x.ms.toFixed(0) + ' ms'));
      const message = (title, m, status) => {
        box.appendChild(el('h4', title));
        const head = (status !== undefined ? 'HTTP ' + status + '\n' : '') + m.headers.map(([k, v]) => k + ': ' + v).join('\n');
        box.appendChild(el('pre', (head ? head + '\n\n' : '') + (m.body || '(empty body)') + (m.bodyBytes > m.body.length ? '\n[' + bytes(m.bodyBytes) + ' in all]' : '')));
      };
      message('Request', x.request);
      if (x.response) message('Response', x.response, x.response.status);
      else if (x.error) box.appendChild(el('p', x.error, 'error'));
      target.appendChild(box);
    }
  }

  // The top functions by own fuel: a bar of own fuel over a lighter bar of fuel with callees, on one
  // scale; each name opens the function at its place (.wat or .wasm view).
  const PROFILE_ROWS = 15;
  function drawProfile(p, fuel) {
    const target = $('profile');
    target.textContent = '';
    $('profileSection').hidden = !p || !p.functions.length;
    if (!p) return;
    const rows = p.functions.slice(0, PROFILE_ROWS);
    const max = Math.max(1, ...rows.map((f) => Math.max(f.self, f.inclusive)));
    const total = fuel && fuel.consumed ? fuel.consumed : p.totalSelf;
    const percent = (n) => (total ? ((n / total) * 100).toFixed(1) : '0.0') + '%';
    const head = el('tr');
    for (const h of ['Function', '', 'Own fuel', 'With callees', 'Calls']) head.appendChild(el('th', h));
    target.appendChild(head);
    for (const f of rows) {
      const tr = el('tr', undefined, 'profile-row');
      const name = el('td');
      if (f.core) {
        // A function of a component's core module: its index is in that module, not the file shown.
        name.appendChild(el('span', f.name + ' (' + f.core + ')'));
      } else {
        const link = el('a', f.name);
        link.href = '#';
        link.title = 'Open function ' + f.index + ' at its place in the module';
        link.addEventListener('click', (event) => {
          event.preventDefault();
          vscode.postMessage({ type: 'openFunction', index: f.index });
        });
        name.appendChild(link);
      }
      tr.appendChild(name);
      const bar = el('td');
      const svg = svgEl('svg', { viewBox: '0 0 160 12', class: 'bars', role: 'img', 'aria-label': f.name + ': ' + percent(f.self) + ' own, ' + percent(f.inclusive) + ' with callees' });
      svg.appendChild(svgEl('rect', { x: 0, y: 0, height: 12, width: ((f.inclusive / max) * 160).toFixed(1), class: 'bar-inclusive' }));
      svg.appendChild(svgEl('rect', { x: 0, y: 2, height: 8, width: ((f.self / max) * 160).toFixed(1), class: 'bar-self' }));
      bar.appendChild(svg);
      tr.appendChild(bar);
      tr.appendChild(el('td', f.self + ' (' + percent(f.self) + ')', 'n'));
      tr.appendChild(el('td', f.inclusive + ' (' + percent(f.inclusive) + ')', 'n'));
      tr.appendChild(el('td', String(f.calls), 'n'));
      target.appendChild(tr);
    }
    const hidden = p.calledFunctions - rows.length;
    $('profileCaption').textContent = p.totalSelf + ' units in ' + p.calledFunctions + ' functions called' + (hidden > 0 ? '; ' + hidden + ' more not shown' : '') + '. Fuel is deterministic: the same on every machine.';
  }

  $('stop').addEventListener('click', () => vscode.postMessage({ type: 'stop' }));

  let run = 0;
  function startRun(title, runId) {
    run = runId;
    samples = []; output = { stdout: '', stderr: '' }; violations = [];
    $('title').textContent = title;
    $('status').textContent = 'Running…';
    $('status').className = 'status running';
    $('stop').hidden = false;
    table($('summary'), []);
    table($('calls'), []);
    $('alerts').textContent = '';
    drawHttp([]);
    drawProfile(undefined);
    setOutput(); drawCharts(); drawViolations();
  }
  function endRun(text, kind) {
    $('stop').hidden = true;
    $('status').textContent = text;
    $('status').className = 'status ' + kind;
  }
  function showReport(r, outcome, fuel) {
    endRun(outcome, r.outcome.kind);
    samples = r.samples; violations = r.violations;
    output = { stdout: r.stdout.text, stderr: r.stderr.text };
    if (r.stdout.truncated) output.stdout += '\n[truncated: ' + bytes(r.stdout.totalBytes) + ' written]';
    if (r.stderr.truncated) output.stderr += '\n[truncated: ' + bytes(r.stderr.totalBytes) + ' written]';
    setOutput(); drawCharts(); drawViolations(); drawHttp(r.http); drawProfile(r.profile, r.fuel);
    // The outcome is the status line above; the table adds what it does not say.
    table($('summary'), [['Time', r.durationMs.toFixed(0) + ' ms']].concat(fuel ? [['Fuel', fuel]] : []).concat([
      ['Peak memory', bytes(r.peakMemoryBytes) + ' of ' + bytes(r.memoryLimitBytes)],
      ['Host calls', String(Object.values(r.hostCalls).reduce((a, b) => a + b, 0))],
      ['Violations', String(r.violations.length)],
    ]).concat(r.component ? [['Component', r.component.world + (r.component.cached ? ' (transpiled earlier)' : ', transpiled in ' + r.component.transpileMs.toFixed(0) + ' ms')]] : []).concat(r.missingImports.map((i) => ['Missing import', i + ' (traps if called)'])).concat(r.notes.map((n) => ['Note', n])));
    table($('calls'), Object.entries(r.hostCalls).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, String(v)]));
    const alerts = $('alerts');
    alerts.textContent = '';
    for (const a of r.alerts) alerts.appendChild(el('li', a.kind + ': ' + a.message));
    if (r.outcome.kind === 'trap' && r.outcome.stack) $('stderr').textContent += '\n' + r.outcome.stack;
    reportRendered();
  }
  function errorColour() {
    const probe = el('span');
    probe.style.color = 'var(--vscode-errorForeground)';
    document.body.appendChild(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }
  function reportRendered() {
    const none = document.querySelector('#violations li');
    vscode.postMessage({ type: 'rendered', rendered: {
      run: run,
      status: $('status').textContent,
      statusClass: $('status').className,
      stopVisible: !$('stop').hidden && getComputedStyle($('stop')).display !== 'none',
      violations: $('violations').textContent,
      violationsColour: none ? getComputedStyle(none).color : '',
      errorColour: errorColour(),
      summary: Array.from(document.querySelectorAll('#summary tr')).map((tr) => tr.textContent),
      axes: Array.from(document.querySelectorAll('.tick')).map((t) => t.textContent),
      stdout: $('stdout').textContent,
      http: Array.from(document.querySelectorAll('#http summary')).map((s) => s.textContent),
      profile: Array.from(document.querySelectorAll('#profile tr.profile-row')).map((tr) => Array.from(tr.children).map((td) => td.textContent).filter((t) => t).join(' | ')),
    } });
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'start') startRun(m.title, m.run);
    else if (m.type === 'progress') {
      const p = m.progress;
      if (p.kind === 'output' && output[p.stream].length < MAX_TEXT) { output[p.stream] += p.text; setOutput(); }
      else if (p.kind === 'sample') {
        // Long runs: keep the live chart light by thinning to every other point past 1000.
        if (samples.length >= 1000) samples = samples.filter((_, i) => i % 2 === 0);
        samples.push(p.sample);
        drawCharts();
      }
      else if (p.kind === 'violation') { violations.push(p.violation); drawViolations(); }
    } else if (m.type === 'report') showReport(m.report, m.outcome, m.fuel);
    else if (m.type === 'failed') endRun('could not run: ' + m.message, 'error');
    else if (m.type === 'persist') {
      // Kept by VS Code over a window reload, and handed back to the extension's serializer.
      vscode.setState(m.state);
      vscode.postMessage({ type: 'persisted', state: vscode.getState() });
    }
    else if (m.type === 'restore') {
      const st = m.state;
      startRun(st.title, st.run);
      if (st.report) showReport(st.report, st.outcome, st.fuel);
      else {
        samples = st.samples; violations = st.violations;
        output = { stdout: st.stdout, stderr: st.stderr };
        setOutput(); drawCharts(); drawViolations();
        if (st.failed) endRun('could not run: ' + st.failed, 'error');
      }
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
`;
