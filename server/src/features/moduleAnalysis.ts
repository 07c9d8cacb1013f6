/**
 * The server's one door to the analysis pipeline: analyses a `.wat` document or a `.wasm` file
 * against the policy that governs it, and remembers the latest result per URI so hovers, code
 * actions, CodeLens and the status bar answer from it without analysing again.
 */
import { promises as fsp } from 'node:fs';
import { uriToPath } from './fileUris';
import { analyzeModule, analyzeWatInSteps } from '../core/analyze';
import { toPlainPolicy } from '../core/policy/effective';
import type { Finding } from '../core/findings';
import type { ModuleFacts } from '../core/module/model';
import type { PolicyResolver, ResolvedPolicy } from '../core/policy/resolver';
import {
  ContentCache,
  contentKeys,
  EngineAccepted,
  SharedResults,
  slimFacts,
  type ContentKeys,
  type SlimResult,
} from './analysisCache';
import type { ScanPool } from './scan/pool';
import { CodeCache } from './scan/codeCache';
import type { WatCompileThread } from '../workers/watCompile/thread';
import type { TextAnalysisThread } from '../workers/textAnalysis/thread';
import type { TextAnalysisStep } from '../workers/textAnalysis/protocol';
import { textSpan } from '../core/location';
import type { WardenSettings } from './settings';

export interface ModuleResult {
  uri: string;
  source: 'text' | 'binary';
  /** Document version for text; undefined for files read from disk. */
  version?: number;
  facts: ModuleFacts[];
  findings: Finding[];
  policy: ResolvedPolicy;
  /** Set when the file was not analysed because it is larger than `wasmWarden.maxFileSize`. */
  tooLarge?: { size: number; limit: number };
  /** True when per-function and per-segment facts were dropped to save memory (see analysisCache.ts). */
  slim?: boolean;
}

/**
 * Texts this long are read on the text-analysis thread: reading takes ~0.2 s per MB on the server's
 * thread, during which no other document is answered.
 */
const OFF_THREAD_MIN_CHARS = 1024 * 1024;

async function readOptional(file: string): Promise<Uint8Array | undefined> {
  try {
    return await fsp.readFile(file);
  } catch {
    return undefined;
  }
}

export class ModuleAnalyzer {
  private readonly results = new Map<string, ModuleResult>();
  private readonly contents = new ContentCache();
  private readonly accepted = new EngineAccepted();
  private readonly shared = new SharedResults();
  /** What the bodies of modules analysed on this thread say (without a pool; each worker has its own). */
  private readonly code = new CodeCache();

  constructor(
    private readonly resolver: PolicyResolver,
    /** Where modules no editor shows are analysed (worker threads); in this thread without one. */
    private readonly pool?: ScanPool,
    /** Where wabt validates `.wat` text while this thread reads it; after the reader without one. */
    private readonly compiler?: WatCompileThread,
    /** Where large `.wat` texts are read and checked whole; on this thread without one. */
    private readonly textThread?: TextAnalysisThread,
  ) {}

  /** How many files analyses can usefully run at once (the scan keeps one more in flight). */
  get parallelism(): number {
    return this.pool?.size ?? 1;
  }

  get(uri: string): ModuleResult | undefined {
    return this.results.get(uri);
  }

  forget(uri: string): void {
    this.results.delete(uri);
  }

  /** Stops the compiles of a text document (closed, or edited since they started: see WatCompileThread). */
  cancelCompiles(uri: string, runningForMs = 0): void {
    this.compiler?.cancel(uri, runningForMs);
    this.textThread?.cancel(uri, runningForMs);
  }

  /** URIs with a remembered result (open `.wat` documents and workspace `.wasm` files). */
  uris(): string[] {
    return [...this.results.keys()];
  }

  private policyFor(uri: string): ResolvedPolicy {
    // Untitled documents have no folder: they are governed by the forced policy or the default.
    return this.resolver.resolve(uriToPath(uri) ?? '/untitled.wat');
  }

  /**
   * Analyses a `.wat` document. `early`, when given, receives the findings known before wabt's
   * validation (see `analyzeWatInSteps`) and says whether the rest is still wanted; when it says
   * no (the document has changed since), validation is skipped and the result is undefined.
   */
  async analyzeText(
    uri: string,
    text: string,
    version: number,
    settings: WardenSettings,
    early?: (first: ModuleResult) => Promise<boolean>,
  ): Promise<ModuleResult | undefined> {
    const policy = this.policyFor(uri);
    const base = { uri, source: 'text' as const, version, policy };
    if (text.length > settings.maxFileSize) {
      return this.remember({
        ...base,
        facts: [],
        findings: [],
        tooLarge: { size: text.length, limit: settings.maxFileSize },
      });
    }
    if (this.textThread && text.length >= OFF_THREAD_MIN_CHARS)
      return this.analyzeTextAside(this.textThread, base, text, settings, early);
    const steps = analyzeWatInSteps(
      {
        fileName: uriToPath(uri) ?? uri,
        text,
        policy,
        ruleOverrides: settings.rules,
        compileAside: this.compiler && ((t, fileName) => this.compiler!.compile(t, fileName, uri)),
      },
      text,
    );
    // Hovers and quick fixes on the early diagnostics answer from the early result (its facts are whole).
    if (early && !(await early(this.remember({ ...base, ...steps.first })))) return undefined;
    const analysis = await steps.complete();
    return this.remember({ ...base, facts: analysis.facts, findings: analysis.findings });
  }

  /** `analyzeText` on the text-analysis thread: the same two steps, this thread free meanwhile. */
  private async analyzeTextAside(
    thread: TextAnalysisThread,
    base: Pick<ModuleResult, 'uri' | 'source' | 'version' | 'policy'>,
    text: string,
    settings: WardenSettings,
    early?: (first: ModuleResult) => Promise<boolean>,
  ): Promise<ModuleResult | undefined> {
    let first: TextAnalysisStep | undefined;
    let wanted = Promise.resolve(true);
    const outcome = await thread.analyze(
      { text, fileName: uriToPath(base.uri) ?? base.uri, policy: base.policy, ruleOverrides: settings.rules },
      base.uri,
      (step) => {
        first = step;
        if (!early) return;
        wanted = early(this.remember({ ...base, ...step })).then((yes) => {
          if (!yes) thread.cancel(base.uri);
          return yes;
        });
      },
    );
    if (!(await wanted)) return undefined;
    if (outcome.ok) return this.remember({ ...base, ...outcome.value });
    if (outcome.reason === 'cancelled') return undefined;
    // Out of time or memory: what the reader found stands, and the file says it was not checked whole.
    return this.remember({
      ...base,
      facts: first?.facts ?? [],
      findings: [
        ...(first?.findings ?? []),
        {
          ruleId: 'invalid-module',
          severity: 'warning',
          message: `Not fully checked: the analysis ${outcome.message}. The findings shown are the reader's and those of the rules that need no function bodies.`,
          location: textSpan({ line: 0, character: 0 }, { line: 0, character: 0 }),
        },
      ],
    });
  }

  /**
   * Reads a `.wasm` file once and analyses it; undefined when it no longer exists. With
   * `fullFacts` false (a file no editor shows) only slim facts are kept, and identical bytes
   * under the same policy reuse an earlier result.
   */
  async analyzeFile(
    uri: string,
    settings: WardenSettings,
    fullFacts = true,
  ): Promise<ModuleResult | undefined> {
    const file = uriToPath(uri);
    if (!file) return undefined;
    let size: number;
    try {
      size = (await fsp.stat(file)).size;
    } catch {
      this.forget(uri);
      return undefined;
    }
    const policy = this.policyFor(uri);
    const base = { uri, source: 'binary' as const, policy };
    if (size > settings.maxFileSize) {
      return this.remember({
        ...base,
        facts: [],
        findings: [],
        tooLarge: { size, limit: settings.maxFileSize },
      });
    }
    if (!fullFacts && this.pool) return this.analyzeAside(this.pool, base, file, settings);
    const bytes = await readOptional(file);
    if (!bytes) {
      this.forget(uri);
      return undefined;
    }
    const detachedSignature = await readOptional(`${file}.sig`);
    const settingsKey = JSON.stringify(settings.rules);
    const keys = contentKeys(bytes, detachedSignature);
    const key = keys.file;
    const knownValid = this.accepted.offsetsIn(keys.engine);
    const cached = fullFacts ? undefined : this.contents.get(key, policy, settingsKey);
    if (cached) return this.remember({ ...base, facts: cached.facts, findings: cached.findings, slim: true });
    const analysis = await analyzeModule({
      fileName: file,
      bytes,
      policy,
      detachedSignature,
      ruleOverrides: settings.rules,
      knownValid,
      codeResults: this.code.for(keys.engine),
    });
    this.accepted.addAt(keys.engine, analysis.engineAccepted ?? []);
    const shared = this.keep(key, policy, settingsKey, {
      facts: analysis.facts.map(slimFacts),
      findings: analysis.findings,
    });
    return this.remember(
      fullFacts
        ? { ...base, facts: analysis.facts, findings: shared.findings }
        : { ...base, ...shared, slim: true },
    );
  }

  /**
   * `analyzeFile` of a file no editor shows, on a scan worker: the worker reads and hashes the file
   * (this thread touches none of its bytes) and asks, with the content keys, whether to analyse.
   */
  private async analyzeAside(
    pool: ScanPool,
    base: Pick<ModuleResult, 'uri' | 'source' | 'policy'>,
    file: string,
    settings: WardenSettings,
    whole = false,
  ): Promise<ModuleResult | undefined> {
    const settingsKey = JSON.stringify(settings.rules);
    const asked: { keys?: ContentKeys; cached?: SlimResult } = {};
    const reply = await pool.run(
      { fileName: file, policy: toPlainPolicy(base.policy), ruleOverrides: settings.rules, whole },
      (keys) => {
        const cached = this.contents.get(keys.file, base.policy, settingsKey);
        Object.assign(asked, { keys, cached });
        return cached ? { skip: true } : { skip: false, knownValid: this.accepted.offsetsIn(keys.engine) };
      },
    );
    const { keys, cached } = asked;
    if (cached) return this.remember({ ...base, facts: cached.facts, findings: cached.findings, slim: true });
    if (!reply.ok && reply.missing) {
      this.forget(base.uri);
      return undefined;
    }
    if (!reply.ok || !keys)
      throw new Error(reply.ok ? 'the analysis worker did not say what it read' : reply.message);
    this.accepted.addAt(keys.engine, reply.engineAccepted);
    let result: SlimResult;
    if ('sameAs' in reply) {
      const known = this.shared.known(reply.sameAs);
      // Not kept here any more (many other results since): the worker sends it whole.
      if (!known) return this.analyzeAside(pool, base, file, settings, true);
      result = known;
    } else result = this.shared.share({ facts: reply.facts, findings: reply.findings });
    this.contents.set(keys.file, { policy: base.policy, settingsKey, ...result });
    return this.remember({ ...base, ...result, slim: true });
  }

  /** One copy of equal results, remembered for files with the same bytes. */
  private keep(key: string, policy: ResolvedPolicy, settingsKey: string, slim: SlimResult): SlimResult {
    const shared = this.shared.share(slim);
    this.contents.set(key, { policy, settingsKey, ...shared });
    return shared;
  }

  private remember(result: ModuleResult): ModuleResult {
    this.results.set(result.uri, result);
    return result;
  }
}
