/**
 * The "Sandbox Run" webview: a strict Content Security Policy (no remote content; one inline
 * script and style, allowed by a fresh nonce), VS Code theme colours, live output, charts of
 * memory and host calls over time, violations, and a Stop button while the run lasts.
 *
 * VS Code destroys a hidden webview's page (and drops messages posted meanwhile); shown again, the
 * page loads anew and says `ready`. The panel keeps the run's state here and sends it whole then,
 * so the report survives hiding, moving and maximising. The page also stores that state with VS
 * Code (`setState`), which hands it back after a window reload to the serializer registered for
 * `SANDBOX_VIEW_TYPE` (`SandboxPanel.revive`).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { describeFuel, describeOutcome, type SandboxReport } from '../../../server/src/core/sandbox/report';
import type { SandboxProgress } from '../../../server/src/protocol/sandbox';
import { openProfiledFunction } from './openFunction';
import { PANEL_SCRIPT } from './panelScript';

type PanelMessage =
  | { type: 'start'; title: string; run: number }
  | { type: 'progress'; progress: SandboxProgress }
  | { type: 'report'; report: SandboxReport; outcome: string; fuel?: string }
  | { type: 'failed'; message: string }
  | { type: 'restore'; state: RunState }
  | { type: 'persist'; state: RunState };

export const SANDBOX_VIEW_TYPE = 'wasmWarden.sandboxRun';

/** Everything the page shows about the current run: sent whole when the page loads again. */
interface RunState {
  /** Which run: a page's late report about an earlier run is told apart. */
  run: number;
  title: string;
  stdout: string;
  stderr: string;
  samples: Array<Extract<SandboxProgress, { kind: 'sample' }>['sample']>;
  violations: Array<Extract<SandboxProgress, { kind: 'violation' }>['violation']>;
  report?: SandboxReport;
  outcome?: string;
  /** The fuel line of the summary (`describeFuel`), when the run counted fuel. */
  fuel?: string;
  failed?: string;
}

/** What the page reports it rendered, each time it renders a finished run (for the in-editor tests). */
export interface RenderedPanel {
  run: number;
  status: string;
  statusClass: string;
  stopVisible: boolean;
  violations: string;
  violationsColour: string;
  /** The theme's error colour, computed in the page, to compare with. */
  errorColour: string;
  summary: string[];
  axes: string[];
  /** The stdout box and, for a component's HTTP exchanges, each exchange's summary line. */
  stdout: string;
  http: string[];
  /** The profile's rows as shown (function, own fuel, with callees, calls), when the run has one. */
  profile: string[];
}

/** Bounds on the state kept for a run, as the page itself bounds what it shows. */
const MAX_TEXT = 200_000;
const MAX_SAMPLES = 1000;

const STYLE = `
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 1em 1em; }
  h1 { font-size: 1.2em; } h2 { font-size: 1em; margin-top: 1.2em; }
  .bar { display: flex; gap: 1em; align-items: center; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); } button:disabled { opacity: 0.5; cursor: default; }
  .status.running { color: var(--vscode-charts-blue); } .status.exit, .status.returned { color: var(--vscode-charts-green); }
  .status.trap, .status.timeout, .status.stopped, .status.error, .status.cancelled { color: var(--vscode-errorForeground); }
  pre { background: var(--vscode-textCodeBlock-background); padding: 0.5em; max-height: 20em; overflow: auto; white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
  table { border-collapse: collapse; } th { text-align: left; padding-right: 1.5em; font-weight: normal; color: var(--vscode-descriptionForeground); }
  .charts { display: flex; gap: 2em; flex-wrap: wrap; } .charts > div { width: 320px; }
  svg { width: 320px; height: 120px; } .axis { stroke: var(--vscode-descriptionForeground); stroke-width: 1; }
  .tick { fill: var(--vscode-descriptionForeground); font-size: 10px; font-family: var(--vscode-font-family); }
  .line { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 2; } .caption { color: var(--vscode-descriptionForeground); }
  #violations li, #alerts li { color: var(--vscode-errorForeground); } #violations li.none { color: var(--vscode-descriptionForeground); }
  [hidden] { display: none !important; }
  svg.bars { width: 160px; height: 12px; } .bar-self { fill: var(--vscode-charts-blue); } .bar-inclusive { fill: var(--vscode-charts-blue); opacity: 0.3; }
  #profile td { padding-right: 1em; } #profile td.n { text-align: right; font-variant-numeric: tabular-nums; } #profile a { cursor: pointer; color: var(--vscode-textLink-foreground); }
  .exchange { margin: 0.3em 0; } .exchange.outgoing summary { opacity: 0.85; } .exchange .error { color: var(--vscode-errorForeground); }
`;

export class SandboxPanel {
  private static current: SandboxPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private loaded = false;
  /** What the panel was last told, for tests and the command's return value. */
  readonly shown: {
    title: string;
    stdout: string;
    stderr: string;
    outcome?: string;
    hostCalls?: Record<string, number>;
    /** How many times the page has loaded (again after each hide). */
    loads: number;
    rendered?: RenderedPanel;
    /** What the page last read back from VS Code's webview state (what a reload restores). */
    persisted?: unknown;
  } = { title: '', stdout: '', stderr: '', loads: 0 };
  private onStop: (() => void) | undefined;
  private state: RunState | undefined;

  /** One panel, reused for each run. */
  static show(): SandboxPanel {
    if (!SandboxPanel.current) SandboxPanel.current = new SandboxPanel();
    else SandboxPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    return SandboxPanel.current;
  }

  /**
   * A panel VS Code kept over a window reload, with the state its page stored: shown again as it
   * was. A run that was still going when the window reloaded is over (its extension host is gone).
   */
  static revive(panel: vscode.WebviewPanel, stored: unknown): SandboxPanel {
    SandboxPanel.current?.panel.dispose();
    const revived = new SandboxPanel(panel);
    const state = storedRunState(stored);
    if (state) {
      if (!state.report && !state.failed) state.failed = 'the window was reloaded before the run finished';
      revived.state = state;
      Object.assign(revived.shown, { title: state.title, stdout: state.stdout, stderr: state.stderr });
      if (state.outcome) revived.shown.outcome = state.outcome;
      panel.title = `Sandbox: ${state.title}`;
    }
    SandboxPanel.current = revived;
    return revived;
  }

  private constructor(existing?: vscode.WebviewPanel) {
    this.panel =
      existing ??
      vscode.window.createWebviewPanel(
        SANDBOX_VIEW_TYPE,
        'Sandbox Run',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [] },
      );
    if (existing) this.panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    this.panel.webview.onDidReceiveMessage(
      (m: { type: string; rendered?: RenderedPanel; state?: unknown; index?: unknown }) => {
        if (m.type === 'ready') {
          this.shown.loads++;
          this.shown.rendered = undefined;
          // A page loaded again after being hidden starts blank: give it the whole run.
          this.loaded = true;
          if (this.state) {
            void this.panel.webview.postMessage({ type: 'restore', state: this.state });
            this.persist();
          }
        } else if (m.type === 'stop') this.onStop?.();
        else if (m.type === 'openFunction') void this.openFunction(m.index);
        else if (m.type === 'persisted') this.shown.persisted = m.state;
        else if (m.type === 'rendered' && m.rendered?.run === this.state?.run)
          this.shown.rendered = m.rendered;
      },
    );
    this.panel.onDidDispose(() => {
      this.onStop?.();
      SandboxPanel.current = undefined;
    });
    this.panel.webview.html = this.html();
  }

  /** A profile entry was clicked: the function at its place in the `.wat` or the `.wasm` view. */
  private async openFunction(index: unknown): Promise<void> {
    const report = this.state?.report;
    const fn = report?.profile?.functions.find((f) => f.index === index && f.core === undefined);
    if (!report || !fn) return;
    try {
      await openProfiledFunction(report.file, fn);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`Wasm Warden could not open ${fn.name}: ${reason}`);
    }
  }

  private html(): string {
    const nonce = randomBytes(16).toString('base64');
    const csp = `default-src 'none'; img-src ${this.panel.webview.cspSource}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${STYLE}</style><title>Sandbox Run</title></head>
<body>
<h1 id="title">Sandbox Run</h1>
<div class="bar"><span id="status" class="status">Waiting…</span><button id="stop" hidden>Stop</button></div>
<table id="summary"></table>
<ul id="alerts"></ul>
<h2>Memory and host calls over time</h2>
<div class="charts"><div id="memChart"></div><div id="callChart"></div></div>
<div id="profileSection" hidden><h2>Fuel by function</h2><table id="profile"></table><p id="profileCaption" class="caption"></p></div>
<div id="httpSection" hidden><h2>HTTP</h2><div id="http"></div></div>
<h2>Output</h2><h3>stdout</h3><pre id="stdout"></pre><h3>stderr</h3><pre id="stderr"></pre>
<h2>Host calls</h2><table id="calls"></table>
<h2>Violations</h2><ul id="violations"></ul>
<script nonce="${nonce}">${PANEL_SCRIPT}</script>
</body></html>`;
  }

  /** Has the page store the run with VS Code, for a window reload (at the start and the end of a run). */
  private persist(): void {
    if (this.state) this.post({ type: 'persist', state: this.state });
  }

  /** Live updates go to a loaded page; one that loads later gets the whole state on `ready`. */
  private post(message: PanelMessage): void {
    if (this.loaded) void this.panel.webview.postMessage(message);
  }

  start(title: string, onStop: () => void): void {
    this.onStop = onStop;
    this.panel.title = `Sandbox: ${title}`;
    this.state = {
      run: (this.state?.run ?? 0) + 1,
      title,
      stdout: '',
      stderr: '',
      samples: [],
      violations: [],
    };
    Object.assign(this.shown, {
      title,
      stdout: '',
      stderr: '',
      outcome: undefined,
      hostCalls: undefined,
      rendered: undefined,
    });
    this.post({ type: 'start', title, run: this.state.run });
    this.persist();
  }

  progress(progress: SandboxProgress): void {
    if (progress.kind === 'output') this.shown[progress.stream] += progress.text;
    const state = this.state;
    if (state && progress.kind === 'output' && state[progress.stream].length < MAX_TEXT)
      state[progress.stream] += progress.text;
    else if (state && progress.kind === 'sample') {
      if (state.samples.length >= MAX_SAMPLES) state.samples = state.samples.filter((_, i) => i % 2 === 0);
      state.samples.push(progress.sample);
    } else if (state && progress.kind === 'violation') state.violations.push(progress.violation);
    this.post({ type: 'progress', progress });
  }

  /** The run ended without a report (the server failed): say so, and take the Stop button away. */
  fail(message: string): void {
    this.onStop = undefined;
    if (this.state) this.state.failed = message;
    this.post({ type: 'failed', message });
    this.persist();
  }

  finish(report: SandboxReport): void {
    this.onStop = undefined;
    const outcome = describeOutcome(report.outcome);
    const fuel = report.fuel && describeFuel(report.fuel);
    if (this.state) Object.assign(this.state, { report, outcome, fuel });
    Object.assign(this.shown, {
      stdout: report.stdout.text,
      stderr: report.stderr.text,
      outcome,
      hostCalls: report.hostCalls,
    });
    this.post({ type: 'report', report, outcome, fuel });
    this.persist();
  }
}

/** A run's state as stored by the page, when it has the shape the page needs (else nothing is restored). */
function storedRunState(stored: unknown): RunState | undefined {
  const s = stored as Partial<RunState> | undefined;
  if (!s || typeof s !== 'object') return undefined;
  if (typeof s.run !== 'number' || typeof s.title !== 'string') return undefined;
  if (typeof s.stdout !== 'string' || typeof s.stderr !== 'string') return undefined;
  if (!Array.isArray(s.samples) || !Array.isArray(s.violations)) return undefined;
  return s as RunState;
}
