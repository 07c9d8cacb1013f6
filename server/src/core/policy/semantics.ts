/**
 * Checks that need more than the schema: import patterns (misspelt WASI names, patterns that can
 * never match, a pattern both allowed and denied), key files and preopened folders that do not
 * exist, unknown rule ids. Each problem sits on the entry at fault.
 */
import * as path from 'node:path';
import type { Node } from 'jsonc-parser';
import type { Finding } from '../findings';
import {
  WASI_INTERFACES,
  WASI_PACKAGES,
  WASI_PREVIEW1_FUNCTIONS,
  WASI_PREVIEW1_MODULES,
  isWasiPreview1Module,
} from '../wasi/catalogue';
import { policyProblem, type PolicyDocument } from './document';
import type { PolicyFileSystem } from './fileSystem';
import { propertyNode } from './layer';
import { MAX_GLOB_LENGTH } from './globMatcher';
import { MAX_PATTERN_LENGTH, matchesText } from './patterns';
import { closestMatch, didYouMean, editDistance } from '../suggest';

export interface SemanticOptions {
  fs: PolicyFileSystem;
  /** Rule ids the product knows; when given, other ids in `rules` are flagged. */
  knownRules?: readonly string[];
}

/** A component's plain import name (kebab-case words): a bare pattern may name one. */
const COMPONENT_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

type Report = (node: Node, message: string, severity?: Finding['severity']) => void;

const valueOf = (object: Node | undefined, ...keys: string[]): Node | undefined => {
  let node = object;
  for (const key of keys) node = propertyNode(node, key)?.children?.[1];
  return node;
};
const stringItems = (list: Node | undefined): Node[] =>
  list?.type === 'array' ? (list.children ?? []).filter((n) => n.type === 'string') : [];

/** What is wrong with one import pattern, if anything. */
export function checkImportPattern(
  pattern: string,
): { message: string; severity: Finding['severity'] } | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      message: `This pattern is ${pattern.length} characters long; import patterns are at most ${MAX_PATTERN_LENGTH}.`,
      severity: 'error',
    };
  }
  if (pattern.trim() !== pattern || /\s/.test(pattern)) {
    return {
      message: `"${pattern}" contains spaces, so it can never match an import name.`,
      severity: 'warning',
    };
  }
  if (
    !pattern.includes('.') &&
    !pattern.includes(':') &&
    !pattern.includes('*') &&
    !COMPONENT_NAME.test(pattern)
  ) {
    // A bare name matches only a component's plain (kebab-case) import; this is not one.
    const wasi = WASI_PREVIEW1_FUNCTIONS.some((f) => f.name === pattern)
      ? `"wasi_snapshot_preview1.${pattern}"`
      : `"env.${pattern}"`;
    return {
      message: `"${pattern}" can never match: patterns are module.name, such as ${wasi} or "${pattern}.*".`,
      severity: 'warning',
    };
  }
  // `iface#function`: the interface part is checked like a whole-interface pattern.
  if (pattern.startsWith('wasi:')) return checkInterfacePattern(pattern.split('#')[0]);
  const dot = pattern.indexOf('.');
  const module = dot < 0 ? pattern : pattern.slice(0, dot);
  const name = dot < 0 ? '' : pattern.slice(dot + 1);
  if (isWasiPreview1Module(module)) {
    const names = WASI_PREVIEW1_FUNCTIONS.filter(
      (f) => !f.preview1Only || module === 'wasi_snapshot_preview1',
    ).map((f) => f.name);
    if (!name.includes('*') && !names.includes(name)) {
      return {
        message: `Unknown WASI function "${name}" in ${module}.${didYouMean(name, names)}`,
        severity: 'error',
      };
    }
    if (name.includes('*') && !names.some((n) => matchesText(name, n))) {
      return {
        message: `"${pattern}" can never match: no ${module} function fits "${name}".`,
        severity: 'warning',
      };
    }
    return undefined;
  }
  if (!module.includes('*') && module.startsWith('wasi') && !module.includes(':')) {
    const near = WASI_PREVIEW1_MODULES.find((m) => editDistance(m, module) <= 3);
    if (near)
      return {
        message: `Unknown module "${module}": WASI preview1 is imported as "${near}". Did you mean "${near}"?`,
        severity: 'error',
      };
  }
  return undefined;
}

/** A likely typo is an error; a name merely missing from the catalogue (a newer proposal) is a warning. */
function unknownName(
  what: string,
  name: string,
  known: readonly string[],
): { message: string; severity: Finding['severity'] } {
  const hint = didYouMean(name, known);
  return hint
    ? { message: `Unknown WASI 0.2 ${what} "${name}".${hint}`, severity: 'error' }
    : {
        message: `"${name}" is not a WASI 0.2 ${what} Wasm Warden knows; check the spelling.`,
        severity: 'warning',
      };
}

/** `wasi:pkg/interface[@version][.function]`: the package and interface must exist. */
function checkInterfacePattern(
  pattern: string,
): { message: string; severity: Finding['severity'] } | undefined {
  const slash = pattern.indexOf('/');
  const pkg = slash < 0 ? pattern.split(/[@.]/)[0] : pattern.slice(0, slash);
  if (!pkg.includes('*') && !WASI_PACKAGES.includes(pkg)) {
    return unknownName('package', pkg, WASI_PACKAGES);
  }
  if (slash < 0) return undefined;
  const iface = pattern.slice(0, slash) + '/' + pattern.slice(slash + 1).split(/[@.]/)[0];
  const names = WASI_INTERFACES.map((i) => i.name);
  if (!iface.includes('*') && !names.includes(iface)) {
    return unknownName('interface', iface, names);
  }
  if (iface.includes('*') && !names.some((n) => matchesText(iface, n))) {
    return {
      message: `"${pattern}" can never match: no WASI 0.2 interface fits "${iface}".`,
      severity: 'warning',
    };
  }
  return undefined;
}

/** Checks one `imports` section: each pattern alone, then allow against deny. */
function checkImports(imports: Node | undefined, report: Report): void {
  const allow = stringItems(valueOf(imports, 'allow'));
  const deny = stringItems(valueOf(imports, 'deny'));
  for (const item of [...allow, ...deny]) {
    const problem = checkImportPattern(String(item.value));
    if (problem) report(item, problem.message, problem.severity);
  }
  for (const item of allow) {
    const pattern = String(item.value);
    const denying = deny.find(
      (d) => d.value === pattern || (!pattern.includes('*') && matchesText(String(d.value), pattern)),
    );
    if (denying) {
      const how = denying.value === pattern ? 'is also denied' : `is also denied by "${denying.value}"`;
      report(
        item,
        `"${pattern}" ${how} in imports.deny; deny beats allow, so this entry has no effect.`,
        'warning',
      );
    }
  }
}

function checkFiles(
  doc: PolicyDocument,
  section: Node | undefined,
  options: SemanticOptions,
  report: Report,
): void {
  const dir = path.dirname(doc.path);
  for (const key of stringItems(valueOf(section, 'signature', 'trustedKeys'))) {
    const absolute = path.resolve(dir, String(key.value));
    if (options.fs.stat(absolute) !== 'file')
      report(key, `Key file not found: ${absolute}. Paths are relative to this policy file.`);
  }
  const preopens = valueOf(section, 'sandbox', 'preopens');
  for (const preopen of preopens?.type === 'array' ? (preopens.children ?? []) : []) {
    const host = valueOf(preopen, 'host');
    if (host?.type !== 'string') continue;
    const absolute = path.resolve(dir, String(host.value));
    if (options.fs.stat(absolute) !== 'directory') {
      report(
        host,
        `Folder not found: ${absolute}. The sandbox cannot preopen it; paths are relative to this policy file.`,
        'warning',
      );
    }
  }
}

function checkRules(section: Node | undefined, options: SemanticOptions, report: Report): void {
  const rules = valueOf(section, 'rules');
  if (!options.knownRules || rules?.type !== 'object') return;
  for (const entry of rules.children ?? []) {
    const key = entry.children?.[0];
    const id = String(key?.value);
    if (key && !options.knownRules.includes(id)) {
      const near = closestMatch(id, options.knownRules);
      report(key, `Unknown rule "${id}".${near ? ` Did you mean "${near}"?` : ''}`, 'warning');
    }
  }
}

function checkMemory(section: Node | undefined, report: Report): void {
  const maxPages = valueOf(section, 'memory', 'maxPages');
  if (maxPages?.type === 'number' && maxPages.value > 65536) {
    report(
      maxPages,
      `${maxPages.value} pages is more than a 32-bit memory can have (65536 pages = 4 GiB).`,
      'warning',
    );
  }
}

function checkOverrideFiles(overrides: Node | undefined, report: Report): void {
  for (const override of overrides?.type === 'array' ? (overrides.children ?? []) : []) {
    for (const glob of stringItems(valueOf(override, 'files'))) {
      const length = String(glob.value).length;
      if (length > MAX_GLOB_LENGTH)
        report(
          glob,
          `This glob is ${length} characters long; globs in "files" are at most ${MAX_GLOB_LENGTH}.`,
        );
    }
  }
}

export function checkSemantics(doc: PolicyDocument, options: SemanticOptions): Finding[] {
  const problems: Finding[] = [];
  if (!doc.root || doc.root.type !== 'object') return problems;
  const report: Report = (node, message, severity = 'error') =>
    problems.push(policyProblem(doc.lines, node.offset, node.offset + node.length, message, severity));
  const overrides = valueOf(doc.root, 'overrides');
  const sections = [doc.root, ...(overrides?.type === 'array' ? (overrides.children ?? []) : [])];
  checkOverrideFiles(overrides, report);
  for (const section of sections) {
    checkImports(valueOf(section, 'imports'), report);
    checkFiles(doc, section, options, report);
    checkRules(section, options, report);
    checkMemory(section, report);
  }
  return problems;
}
