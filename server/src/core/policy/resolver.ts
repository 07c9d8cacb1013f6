/**
 * Finds and resolves the policy that governs a module, for the server and the CLI alike:
 * the forced file (setting `wasmWarden.policyPath` / `--policy`) or the nearest wasm-policy.json
 * from the module's folder up to its workspace root; then its `extends` chain and the `overrides`
 * that match the module. No policy found: the built-in DEFAULT. A broken policy (any error in the
 * chain): fail closed with the built-in STRICT policy and one finding pointing at the break.
 *
 * Synchronous and cached; call `invalidate(path)` when a file changes on disk or in an editor.
 */
import * as path from 'node:path';
import type { Finding, PolicyPointer } from '../findings';
import { textSpan } from '../location';
import {
  DEFAULT_LAYER,
  DEFAULT_POLICY_NAME,
  FILE_BASE_LAYER,
  STRICT_LAYER,
  STRICT_POLICY_NAME,
} from './builtins';
import { nodeSpan, readPolicyDocument, type PolicyDocument } from './document';
import { buildEffectivePolicy } from './effective';
import { compileGlob } from './globMatcher';
import type { PolicyFileSystem } from './fileSystem';
import { propertyNode, readLayer, readOverrides, type OverrideLayer, type PolicyLayer } from './layer';
import { checkAgainstSchema } from './schemaCheck';
import { checkSemantics } from './semantics';
import type { EffectivePolicy } from './types';

/** The `shared` key of the default policy (no file path contains a NUL). */
const DEFAULT_SHARED_KEY = '\u0000default';

export const POLICY_FILE_NAME = 'wasm-policy.json';

export interface PolicyResolverOptions {
  /** Workspace roots: discovery stops at the root that contains the module (else at the file-system root). */
  roots?: readonly string[];
  /** A policy file that governs every module, ignoring discovery. */
  forcedPath?: string;
  /** Rule ids the product knows (to flag unknown ids in `rules`). */
  knownRules?: readonly string[];
}

/** One policy file read and checked on its own. */
export interface LoadedPolicyFile {
  path: string;
  doc: PolicyDocument;
  base: PolicyLayer;
  overrides: OverrideLayer[];
  /** Absolute path `extends` names, and the pointer to that value. */
  extends?: { target: string; pointer: PolicyPointer };
  /** Syntax, schema and semantic problems of this file alone. */
  problems: Finding[];
}

/** A policy file with everything it extends, base first. */
export interface PolicyChain {
  files: LoadedPolicyFile[];
  /** Problems of the `extends` value in the top file (missing target, cycle, broken target). */
  extendsProblems: Finding[];
  /** The first error anywhere in the chain, with the file it is in, if the chain is broken. */
  firstError?: { file: string; finding: Finding };
}

/** An EffectivePolicy plus the finding a governed module carries when its policy fails closed. */
export interface ResolvedPolicy extends EffectivePolicy {
  /** Policy files this resolution read (the chain), for knowing whom a file change affects. */
  files: string[];
  /** Set when the policy failed closed; the integrator relocates it to the module's own location. */
  moduleProblem?: Finding;
}

const isError = (f: Finding) => f.severity === 'error';
const byPosition = (a: Finding, b: Finding) =>
  a.location.kind === 'text' && b.location.kind === 'text'
    ? a.location.start.line - b.location.start.line || a.location.start.character - b.location.start.character
    : 0;
const lineOf = (f: Finding) => (f.location.kind === 'text' ? f.location.start.line + 1 : 1);

export class PolicyResolver {
  private readonly loaded = new Map<string, LoadedPolicyFile>();
  private readonly chains = new Map<string, PolicyChain>();
  private readonly nearest = new Map<string, string | null>();
  private readonly resolved = new Map<string, ResolvedPolicy>();
  private readonly shared = new Map<string, ResolvedPolicy>();
  private readonly matchers = new WeakMap<OverrideLayer, (relativePath: string) => boolean>();
  private options: PolicyResolverOptions;

  constructor(
    private readonly fs: PolicyFileSystem,
    options: PolicyResolverOptions = {},
  ) {
    this.options = { ...options };
  }

  /** Changes roots / forced path / known rules (e.g. after a settings change) and clears caches. */
  configure(options: PolicyResolverOptions): void {
    this.options = { ...options };
    this.invalidate();
  }

  /** Forgets what was read from `file` (or everything): call on create, change and delete. */
  invalidate(file?: string): void {
    // A file that is not a policy may still be one a policy checks (a key file, a preopened
    // folder) or a policy not read yet: forget every policy, they are few and small.
    if (file === undefined || !this.loaded.delete(path.resolve(file))) this.loaded.clear();
    // Chains, discovery and results may depend on any file: they are cheap to rebuild.
    this.chains.clear();
    this.nearest.clear();
    this.resolved.clear();
    this.shared.clear();
  }

  /** The policy file that governs a module: the forced one, or the nearest, or undefined. */
  findPolicyFile(modulePath: string): string | undefined {
    if (this.options.forcedPath) return path.resolve(this.options.forcedPath);
    const start = path.dirname(path.resolve(modulePath));
    const root = (this.options.roots ?? [])
      .map((r) => path.resolve(r))
      .filter((r) => start === r || start.startsWith(r.endsWith(path.sep) ? r : r + path.sep))
      .sort((a, b) => b.length - a.length)[0];
    const visited: string[] = [];
    let found: string | undefined;
    for (let dir = start; ; dir = path.dirname(dir)) {
      const cached = this.nearest.get(dir);
      if (cached !== undefined) {
        found = cached ?? undefined;
        break;
      }
      visited.push(dir);
      const candidate = path.join(dir, POLICY_FILE_NAME);
      // Anything there governs, even what cannot be read (a folder, a FIFO, a dangling link):
      // skipping it would check the module against the permissive default instead.
      if (this.fs.stat(candidate) !== undefined) {
        found = candidate;
        break;
      }
      if (dir === root || path.dirname(dir) === dir) break;
    }
    for (const dir of visited) this.nearest.set(dir, found ?? null);
    return found;
  }

  /** Whether `file` has been read as a policy (a wasm-policy.json or a file some policy extends). */
  isKnownPolicy(file: string): boolean {
    return this.loaded.has(path.resolve(file));
  }

  /** One policy file, read and checked alone (cached). Undefined when it cannot be read. */
  load(file: string): LoadedPolicyFile | undefined {
    const absolute = path.resolve(file);
    const cached = this.loaded.get(absolute);
    if (cached) return cached;
    const text = this.fs.readFile(absolute);
    if (text === undefined) return undefined;
    const doc = readPolicyDocument(absolute, text);
    const problems = [...doc.problems];
    if (!problems.some(isError)) {
      problems.push(
        ...checkAgainstSchema(doc),
        ...checkSemantics(doc, { fs: this.fs, knownRules: this.options.knownRules }),
      );
    }
    problems.sort(byPosition);
    const extendsNode = propertyNode(doc.root, 'extends')?.children?.[1];
    const loaded: LoadedPolicyFile = {
      path: absolute,
      doc,
      base: readLayer(doc, doc.root),
      overrides: readOverrides(doc),
      problems,
      ...(extendsNode?.type === 'string'
        ? {
            extends: {
              target: path.resolve(path.dirname(absolute), String(extendsNode.value)),
              pointer: {
                file: absolute,
                location: nodeSpan(doc.lines, extendsNode),
                text: doc.text.slice(extendsNode.offset, extendsNode.offset + extendsNode.length),
              },
            },
          }
        : {}),
    };
    this.loaded.set(absolute, loaded);
    return loaded;
  }

  private unreadableMessage(file: string): string {
    const kind = this.fs.stat(file);
    if (kind === undefined) return `Policy file not found: ${file}.`;
    const why =
      this.fs.whyUnreadable?.(file) ??
      (kind === 'directory' ? 'it is a folder' : 'it is not a readable file');
    return `Policy file ${file} cannot be read: ${why}. Modules it governs fail closed until it is a readable file.`;
  }

  /** A policy file with the files it extends, and what is wrong with that chain. */
  chain(file: string, visiting: string[] = []): PolicyChain {
    const absolute = path.resolve(file);
    const cached = this.chains.get(absolute);
    if (cached && visiting.length === 0) return cached;
    const top = this.load(absolute);
    if (!top) {
      const finding: Finding = {
        ruleId: 'policy-error',
        severity: 'error',
        message: this.unreadableMessage(absolute),
        location: textSpan({ line: 0, character: 0 }, { line: 0, character: 0 }),
      };
      return { files: [], extendsProblems: [], firstError: { file: absolute, finding } };
    }
    const chain: PolicyChain = { files: [top], extendsProblems: [] };
    const ext = top.extends;
    if (ext) {
      const problem = (message: string): Finding => ({
        ruleId: 'policy-error',
        severity: 'error',
        message,
        location: ext.pointer.location!,
        decidedBy: ext.pointer,
      });
      const stack = [...visiting, absolute];
      if (stack.includes(ext.target)) {
        const names = [...stack.slice(stack.indexOf(ext.target)), ext.target].map(
          (p) => path.relative(path.dirname(absolute), p) || POLICY_FILE_NAME,
        );
        chain.extendsProblems.push(
          problem(`"extends" makes a cycle: ${names.join(' → ')}. A policy cannot extend itself.`),
        );
      } else if (this.fs.stat(ext.target) === undefined) {
        chain.extendsProblems.push(
          problem(
            `The policy this extends was not found: ${ext.target}. "extends" is relative to this file.`,
          ),
        );
      } else if (this.fs.stat(ext.target) !== 'file') {
        chain.extendsProblems.push(problem(`The policy this extends: ${this.unreadableMessage(ext.target)}`));
      } else {
        const base = this.chain(ext.target, stack);
        chain.files = [...base.files, top];
        if (base.firstError) {
          const { file: brokenFile, finding } = base.firstError;
          chain.extendsProblems.push(
            problem(
              `The policy this extends is broken: ${path.relative(path.dirname(absolute), brokenFile)} line ${lineOf(finding)}: ${finding.message}`,
            ),
          );
        }
      }
    }
    const ownError = top.problems.find(isError) ?? chain.extendsProblems.find(isError);
    if (ownError) chain.firstError = { file: absolute, finding: ownError };
    if (visiting.length === 0) this.chains.set(absolute, chain);
    return chain;
  }

  /** Everything to show as diagnostics in a policy file: its own problems and its `extends` problems. */
  problemsOf(file: string): Finding[] {
    const loaded = this.load(file);
    if (!loaded) return [];
    return [...loaded.problems, ...this.chain(file).extendsProblems];
  }

  /** The effective policy of a module (cached until `invalidate`). */
  resolve(modulePath: string): ResolvedPolicy {
    const absolute = path.resolve(modulePath);
    let result = this.resolved.get(absolute);
    if (!result) {
      result = this.compute(absolute);
      this.resolved.set(absolute, result);
    }
    return result;
  }

  private compute(modulePath: string): ResolvedPolicy {
    const policyPath = this.findPolicyFile(modulePath);
    if (!policyPath) {
      // Every module no policy file governs shares one default policy, as modules matching the
      // same overrides share theirs: caches that compare policies by identity then hold.
      let shared = this.shared.get(DEFAULT_SHARED_KEY);
      if (!shared) {
        const fallback: PolicyPointer = { file: DEFAULT_POLICY_NAME, text: '"otherwise": "allow"' };
        shared = { ...buildEffectivePolicy([DEFAULT_LAYER], { kind: 'default' }, fallback), files: [] };
        this.shared.set(DEFAULT_SHARED_KEY, shared);
      }
      return shared;
    }
    const chain = this.chain(policyPath);
    const files = chain.files.map((f) => f.path);
    const problems: Finding[] = chain.files.flatMap((f) =>
      f.problems.map((p) => ({ ...p, decidedBy: p.decidedBy ?? { file: f.path, location: p.location } })),
    );
    problems.push(...chain.extendsProblems);
    if (chain.firstError) return this.failClosed(policyPath, chain, problems, files);

    // Modules that match the same overrides share one policy object (and its verdict cache).
    const layers: PolicyLayer[] = [FILE_BASE_LAYER];
    const matched: string[] = [];
    for (const file of chain.files) {
      layers.push(file.base);
      const relative = path.relative(path.dirname(file.path), modulePath).split(path.sep).join('/');
      file.overrides.forEach((override, index) => {
        if (this.overrideMatcher(override)(relative)) {
          layers.push(override);
          matched.push(`${file.path}#${index}`);
        }
      });
    }
    const key = [policyPath, ...matched].join('\u0000');
    let shared = this.shared.get(key);
    if (!shared) {
      const fallback: PolicyPointer = {
        file: policyPath,
        text: '"otherwise": "deny" (the default when a policy does not set imports.otherwise)',
      };
      const policy = buildEffectivePolicy(layers, { kind: 'file', path: policyPath }, fallback);
      shared = { ...policy, problems, files };
      this.shared.set(key, shared);
    }
    return shared;
  }

  private overrideMatcher(override: OverrideLayer): (relativePath: string) => boolean {
    let matcher = this.matchers.get(override);
    if (!matcher) {
      const globs = override.files.map(compileGlob);
      matcher = (relativePath) => globs.some((matches) => matches(relativePath));
      this.matchers.set(override, matcher);
    }
    return matcher;
  }

  private failClosed(
    policyPath: string,
    chain: PolicyChain,
    problems: Finding[],
    files: string[],
  ): ResolvedPolicy {
    const { file, finding } = chain.firstError!;
    const policy = buildEffectivePolicy(
      [STRICT_LAYER],
      { kind: 'strict-fallback', brokenPath: file },
      { file: STRICT_POLICY_NAME, text: '"otherwise": "deny"' },
    );
    const count = problems.filter(isError).length;
    const moduleProblem: Finding = {
      ruleId: 'policy-error',
      severity: 'error',
      message: `The policy governing this module is broken (${file}, line ${lineOf(finding)}: ${finding.message.replace(/\.$/, '')}${count > 1 ? ` and ${count - 1} more` : ''}). Checked against the strict built-in policy until it is fixed.`,
      location: textSpan({ line: 0, character: 0 }, { line: 0, character: 0 }),
      decidedBy: { file, location: finding.location },
      data: { policyFile: file, governingPolicy: policyPath },
    };
    return { ...policy, problems, files: files.length ? files : [policyPath], moduleProblem };
  }
}
