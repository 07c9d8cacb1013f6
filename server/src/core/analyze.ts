/**
 * The analysis pipeline in one call: source → findings. The server, the CLI and the tests all go
 * through here, so a finding in the editor is a finding in CI.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from './findings';
import type { ModuleFacts } from './module/model';
import { readBinaryModule } from './module/binary';
import { validateModules } from './module/validate';
import type { ResolvedPolicy } from './policy/resolver';
import type { EffectivePolicy, RuleSetting } from './policy/types';
import { planRules, splitByCode, type RulePlan } from './rules/plan';
import { runRules } from './rules/runner';
import type { CodeView, SignatureCheck } from './rules/rule';
import type { Baseline } from './diff/surface';
import { binaryCodeView, type CodeResults } from './rules/support/codeView';
import { loadPublicKeys, verifyModuleSignatures, type PublicKeyInfo } from './signing';
import { checkWatSyntax } from './wat/syntax';
import { compileWat, type CompileResult } from './wat/compile';
import { readWatModules, type WatModule } from './wat/reader';
import { LineIndex, type SourceLocation } from './location';

export interface TextSource {
  fileName: string;
  text: string;
}

export interface AnalysisResult {
  findings: Finding[];
}

/** Syntax-only analysis of WAT text (what the server used before rules existed). */
export function analyzeText(source: TextSource): AnalysisResult {
  return { findings: checkWatSyntax(source.text) };
}

export interface ModuleInput {
  fileName: string;
  /** The file's bytes, for `.wasm` modules. */
  bytes?: Uint8Array;
  /** The source text, for `.wat` modules (used when `bytes` is absent). */
  text?: string;
  policy: EffectivePolicy;
  /** The contents of a detached `.sig` file, when there is one. */
  detachedSignature?: Uint8Array;
  /** Trusted keys already loaded; otherwise the policy's `signature.trustedKeys` files are read. */
  trustedKeys?: PublicKeyInfo[];
  /** Settings from the CLI `--rule` or editor settings; they beat the policy's `rules` map. */
  ruleOverrides?: Record<string, RuleSetting>;
  /** Validate with the engine (default true); benchmarks of the rules alone turn it off. */
  validate?: boolean;
  /**
   * Where the core modules start (in a binary) that the engine already accepted with the same
   * non-custom sections, data segments' bytes aside (their engine keys, see
   * features/analysisCache.ts): not validated again.
   */
  knownValid?: readonly number[];
  /**
   * What is known from function bodies of a binary's core module (`facts`: the file, or one nested
   * in a component): a caller that saw the same code at the same offsets before
   * (features/scan/codeCache.ts) hands back the record the analysis then filled in; undefined,
   * nothing is known (a record of its own).
   */
  codeResults?: (facts: ModuleFacts) => CodeResults | undefined;
  /**
   * Compiles `.wat` text off this thread (the server's wabt workers). Given, every compile of a text
   * analysis goes there, the first started on the file's likely module text before reading, so
   * wabt runs while the reader does.
   */
  compileAside?: (text: string, fileName: string) => Promise<CompileResult>;
  /** The version to compare a binary with (`check --baseline`), for `capability-change`. */
  baseline?: Baseline;
}

export interface ModuleAnalysis {
  /** The module read (one per module in a `.wat` file; a component's nested modules are inside it). */
  facts: ModuleFacts[];
  findings: Finding[];
  /** Where the core modules of a binary start that the engine accepted (or was told are valid). */
  engineAccepted?: number[];
}

export const POLICY_ERROR_RULE_ID = 'policy-error';

/**
 * A broken policy fails closed: its modules say so, once, pointing at the broken file. The
 * resolver words the problem (`moduleProblem`); here it moves to the module's own location.
 */
export function brokenPolicyFinding(policy: EffectivePolicy, facts: ModuleFacts): Finding | undefined {
  if (policy.source.kind !== 'strict-fallback') return undefined;
  const resolved = (policy as Partial<ResolvedPolicy>).moduleProblem;
  if (resolved) return { ...resolved, location: facts.location };
  const path = policy.source.brokenPath;
  const first = policy.problems.find((p) => p.severity === 'error') ?? policy.problems[0];
  return {
    ruleId: POLICY_ERROR_RULE_ID,
    severity: 'error',
    message: `The policy governing this module is broken (${path}${first ? `: ${first.message}` : ''}). Checked against the strict built-in policy until it is fixed.`,
    location: facts.location,
    decidedBy: { file: path, ...(first ? { location: first.location } : {}) },
    data: { policyFile: path },
  };
}

/** Loads the policy's trusted key files; a file that cannot be read becomes a message, not a crash. */
export async function loadTrustedKeys(
  policy: EffectivePolicy,
): Promise<{ keys: PublicKeyInfo[]; errors: string[] }> {
  const keys: PublicKeyInfo[] = [];
  const errors: string[] = [];
  for (const path of policy.signature.trustedKeys) {
    try {
      const result = loadPublicKeys(await readFile(path), path);
      if (result.ok) keys.push(...result.key);
      else errors.push(result.error);
    } catch (error) {
      errors.push(
        `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`,
      );
    }
  }
  return { keys, errors };
}

async function checkSignature(input: ModuleInput, bytes: Uint8Array): Promise<SignatureCheck> {
  const loaded = input.trustedKeys
    ? { keys: input.trustedKeys, errors: [] }
    : await loadTrustedKeys(input.policy);
  const report = verifyModuleSignatures(bytes, {
    publicKeys: loaded.keys,
    detachedSignature: input.detachedSignature,
  });
  return { report, trustedKeyCount: loaded.keys.length, keyErrors: loaded.errors };
}

/** Runs the rules on a module and, for a component, on each core module nested inside it. */
function checkTree(
  facts: ModuleFacts,
  input: ModuleInput,
  plan: RulePlan,
  common: { bytes?: Uint8Array; text?: string; signature?: SignatureCheck },
  code: (facts: ModuleFacts) => CodeView | undefined,
  nested: boolean,
): Finding[] {
  const findings = runRules({
    facts,
    policy: input.policy,
    bytes: common.bytes,
    text: common.text,
    nested,
    code: () => code(facts),
    // The signature belongs to the file, so only the outermost module reports on it.
    signature: nested ? undefined : common.signature,
    plan,
    baseline: nested ? undefined : input.baseline,
  });
  for (const inner of facts.modules ?? [])
    findings.push(...checkTree(inner, input, plan, { bytes: common.bytes, text: common.text }, code, true));
  return findings;
}

/** Reads a `.wasm` module and checks it against its policy with every active rule. */
async function analyzeBinary(input: ModuleInput, bytes: Uint8Array): Promise<ModuleAnalysis> {
  const facts = readBinaryModule(bytes);
  // The engine's verdict (invalid-module, unsupported-by-engine) includes the reader's problems.
  const verdict =
    input.validate === false
      ? { findings: [...facts.problems], accepted: [] }
      : validateModules(bytes, facts, input.knownValid);
  const findings = verdict.findings;
  const broken = brokenPolicyFinding(input.policy, facts);
  if (broken) findings.push(broken);
  const plan = planRules(input.policy, input.ruleOverrides);
  const signature = plan.needsSignature ? await checkSignature(input, bytes) : undefined;
  findings.push(
    ...checkTree(
      facts,
      input,
      plan,
      { bytes, signature },
      (f) => binaryCodeView(f, bytes, undefined, input.codeResults?.(f)),
      false,
    ),
  );
  return { facts: [facts], findings: insideFile(findings, bytes.length), engineAccepted: verdict.accepted };
}

/**
 * Every finding's location lies inside the file: a reader that ran out of bytes reports the end of
 * the file (an empty `signature` section at the end was reported one byte past it), which an editor
 * cannot show. Such a location moves to the file's last byte.
 */
export function insideFile(findings: Finding[], size: number): Finding[] {
  return findings.map((f) => {
    const at = f.location;
    if (at.kind !== 'binary' || (at.offset < size && at.offset + at.length <= size)) return f;
    const offset = Math.max(0, Math.min(at.offset, size - 1));
    return { ...f, location: { ...at, offset, length: Math.min(Math.max(at.length, 1), size - offset) } };
  });
}

/**
 * The pipeline for one module file: facts (binary or text), the module's own problems, the
 * policy's problem when it is broken, and every rule the settings leave on.
 */
export async function analyzeModule(input: ModuleInput): Promise<ModuleAnalysis> {
  if (input.bytes) return analyzeBinary(input, input.bytes);
  return analyzeWatInSteps(input, input.text ?? '').complete();
}

/** Moves findings located in a module's own source text to where that text sits in the file. */
function relocate(findings: Finding[], entry: WatModule, fileLines: LineIndex): Finding[] {
  if (entry.source.kind !== 'text' || findings.length === 0) return findings;
  const { text: own, sourceOffset } = entry.source;
  const ownLines = new LineIndex(own);
  return findings.map((f) => {
    if (f.location.kind !== 'text') return f;
    if (sourceOffset < 0) return { ...f, location: entry.location };
    const start = ownLines.offsetAt(f.location.start) + sourceOffset;
    const end = ownLines.offsetAt(f.location.end) + sourceOffset;
    return { ...f, location: fileLines.span(start, end) };
  });
}

/**
 * Function bodies of a text module: compile it with wabt, scan the bytes, and point each function
 * back at its `(func` span by index (both number functions the same way).
 */
function textCodeView(
  entry: WatModule,
  bytes: Uint8Array,
  compiledFacts = readBinaryModule(bytes),
): CodeView {
  const functions = entry.facts.functions;
  // Functions are listed in index order, so the index finds its own entry; a map only if not.
  let byIndex: Map<number, SourceLocation> | undefined;
  const locate = (index: number): SourceLocation => {
    if (functions[index]?.index === index) return functions[index].location;
    byIndex ??= new Map(functions.map((fn) => [fn.index, fn.location]));
    return byIndex.get(index) ?? entry.location;
  };
  return binaryCodeView(compiledFacts, bytes, locate);
}

/**
 * A `.wat`/`.wast` analysis in two steps, so an editor can show the cheap part first: `first`
 * holds the facts, the reader's findings and those of the rules that need no function bodies;
 * `complete()` adds wabt's validation and the rules that read bodies, and returns every finding,
 * in the order `analyzeModule` gives them.
 */
export interface SteppedTextAnalysis {
  first: ModuleAnalysis;
  complete(): Promise<ModuleAnalysis>;
}

/** Reads every module of a `.wat`/`.wast` text, then (in `complete`) validates it with wabt. */
export function analyzeWatInSteps(input: ModuleInput, text: string): SteppedTextAnalysis {
  const guess = input.compileAside ? likelyModuleText(text) : undefined;
  const ahead =
    guess !== undefined ? { text: guess, result: input.compileAside!(guess, input.fileName) } : undefined;
  const lines = new LineIndex(text);
  const read = readWatModules(text, lines);
  const entries = read.entries.filter((e) => e.expect === 'valid');
  const plan = planRules(input.policy, input.ruleOverrides);
  const { withoutCode, withCode } = splitByCode(plan);
  const withCallGraph = withoutCode.rules.filter((p) => p.rule.meta.usesCallGraph);
  const wantsCode = withCode.needsCode || withCallGraph.length > 0;
  const common = { policy: input.policy, text };
  const head: Finding[] = [...read.findings];
  const broken = entries[0] && brokenPolicyFinding(input.policy, entries[0].facts);
  if (broken) head.push(broken);
  const firstRules = entries.map((entry) => runRules({ ...common, facts: entry.facts, plan: withoutCode }));
  const facts = entries.map((e) => e.facts);

  const complete = async (): Promise<ModuleAnalysis> => {
    const findings = [...head];
    for (const [k, entry] of entries.entries()) {
      let code: CodeView | undefined;
      if (entry.source.kind === 'text') {
        // wabt validates what the tolerant reader cannot (types, indices); skip it when the reader
        // already found this module malformed, so one mistake is not reported twice.
        // The compile started ahead counts only if it guessed this module's text exactly.
        const compiled = await (ahead?.text === entry.source.text
          ? ahead.result
          : (input.compileAside ?? compileWat)(entry.source.text, input.fileName));
        if (entry.findings.length === 0) findings.push(...relocate(compiled.findings, entry, lines));
        if (compiled.bytes && wantsCode) code = textCodeView(entry, compiled.bytes, compiled.facts);
      } else if (wantsCode) {
        const bytes = entry.source.bytes;
        code = binaryCodeView(entry.facts, bytes, () => entry.location);
      }
      // With bodies at hand, the rules that read the call graph run again and replace their
      // first-pass findings (which could not say what reaches an import).
      const again = code ? withCallGraph : [];
      const redone = new Set(again.map((p) => p.rule.meta.id));
      const bodyRules = runRules({
        ...common,
        facts: entry.facts,
        code: () => code,
        plan: { ...withCode, rules: [...withCode.rules, ...again] },
      });
      const kept = firstRules[k].filter((f) => !redone.has(f.ruleId));
      findings.push(...inRuleOrder(plan, [...kept, ...bodyRules]));
    }
    return { facts, findings };
  };
  return { first: { facts, findings: [...head, ...firstRules.flat()] }, complete };
}

/**
 * The text the reader gives a file holding one `(module …)` form to compile: from its open paren
 * to the last close paren. A wrong guess (several modules, a paren in a trailing comment) costs
 * only the wasted compile: its result is used only when the reader's text is the same.
 */
function likelyModuleText(text: string): string | undefined {
  const start = text.indexOf('(module');
  const end = text.lastIndexOf(')') + 1;
  return start >= 0 && end > start ? text.slice(start, end) : undefined;
}

/** Findings of two rule runs in the order one run of `rules` lists them (the sort is stable). */
function inRuleOrder(plan: RulePlan, findings: Finding[]): Finding[] {
  const rank = new Map(plan.rules.map((p, i) => [p.rule.meta.id, i]));
  return findings.sort((a, b) => (rank.get(a.ruleId) ?? 0) - (rank.get(b.ruleId) ?? 0));
}
