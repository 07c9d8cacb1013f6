/**
 * Quick fixes for module diagnostics: allow an import in the policy (or drop the deny pattern that
 * blocks it), lower a WAT memory's maximum to the policy limit, sign the module, create a policy
 * from the module, and turn a rule off for this one file. Policy edits go through jsonc-parser's
 * `modify`, so the file keeps its comments and formatting.
 */
import { fixDataOf, type MemoryLimitFixData } from '../core/rules/fixData';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findNodeAtOffset, getNodePath, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextDocuments,
  type TextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex, type TextSpan } from '../core/location';
import { lex } from '../core/wat/lexer';
import { DIAGNOSTIC_SOURCE } from '../lsp/convert';
import { uriToPath } from './fileUris';
import type { ModuleResult } from './moduleAnalysis';

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

/** Client commands the fixes run (declared in package.json). */
export const SIGN_MODULE_COMMAND = 'wasmWarden.signModule';
export const CREATE_POLICY_COMMAND = 'wasmWarden.createPolicy';

interface PolicyText {
  uri: string;
  file: string;
  text: string;
}

export class CodeActionsFeature {
  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    /** The analysis behind a document (a `.wasm` text view answers with its file's). */
    private readonly resultFor: (uri: string) => ModuleResult | undefined,
  ) {}

  provide(params: CodeActionParams): CodeAction[] {
    const result = this.resultFor(params.textDocument.uri);
    if (!result) return [];
    const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    const actions: CodeAction[] = [];
    const policy = this.policyText(result);
    for (const diagnostic of ours) {
      const code = String(diagnostic.code ?? '');
      const imported = fixDataOf('disallowed-import', code, diagnostic.data);
      if (imported && policy) {
        const action = this.allowImport(policy, result, imported.module, imported.name, diagnostic);
        if (action) actions.push(action);
      }
      const memory = fixDataOf('memory-limit', code, diagnostic.data);
      if (memory && result.source === 'text') {
        const action = this.lowerMaximum(result, memory, diagnostic);
        if (action) actions.push(action);
      }
      if (/^(missing|invalid|untrusted)-signature$/.test(code)) {
        actions.push({
          title: 'Sign this module…',
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: 'Sign Module', command: SIGN_MODULE_COMMAND, arguments: [{ uri: result.uri }] },
        });
      }
      if (
        policy &&
        code &&
        !['syntax-error', 'invalid-module', 'policy-error', 'internal-error', 'file-too-large'].includes(code)
      ) {
        actions.push(this.ruleOffForFile(policy, result, code, diagnostic));
      }
    }
    if (result.policy.source.kind === 'default') {
      actions.push({
        title: 'Create a least-privilege policy from this module',
        kind: ours.length ? CodeActionKind.QuickFix : CodeActionKind.Source,
        diagnostics: ours,
        command: {
          title: 'Create Policy from Module',
          command: CREATE_POLICY_COMMAND,
          arguments: [result.uri],
        },
      });
    }
    return dedupe(actions);
  }

  /** The policy file in force, read from its open document if any (unsaved edits count). */
  private policyText(result: ModuleResult): PolicyText | undefined {
    if (result.policy.source.kind !== 'file') return undefined;
    const file = result.policy.source.path;
    const uri = pathToFileURL(file).href;
    const open = this.documents.get(uri);
    try {
      return { uri, file, text: open?.getText() ?? readFileSync(file, 'utf8') };
    } catch {
      return undefined;
    }
  }

  private allowImport(
    policy: PolicyText,
    result: ModuleResult,
    module: string,
    name: string,
    diagnostic: Diagnostic,
  ): CodeAction | undefined {
    // A function of a component interface is named `iface#function`.
    const pattern = name === '' ? module : `${module}${module.includes(':') ? '#' : '.'}${name}`;
    const verdict = result.policy.checkImport(module, name);
    // A deny pattern beats any allow: the fix is to remove it, if it lives in this file.
    const decided = verdict.decidedBy;
    if (decided.file === policy.file && decided.location?.kind === 'text') {
      const lines = new LineIndex(policy.text);
      const root = parseTree(policy.text);
      const node = root && findNodeAtOffset(root, lines.offsetAt(decided.location.start) + 1);
      const nodePath = node ? getNodePath(node) : [];
      if (nodePath[0] === 'imports' && nodePath[1] === 'deny' && typeof nodePath[2] === 'number') {
        return {
          title: `Remove ${decided.text ?? 'the deny pattern'} from imports.deny in ${path.basename(policy.file)}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: {
            changes: { [policy.uri]: jsonEdits(policy.text, ['imports', 'deny', nodePath[2]], undefined) },
          },
        };
      }
    }
    return {
      title: `Allow ${pattern} in ${path.basename(policy.file)}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [policy.uri]: jsonEdits(policy.text, ['imports', 'allow', -1], pattern) } },
    };
  }

  private lowerMaximum(
    result: ModuleResult,
    data: MemoryLimitFixData,
    diagnostic: Diagnostic,
  ): CodeAction | undefined {
    const document = this.documents.get(result.uri);
    const limitPages = data.limitPages;
    if (!document || limitPages === null || (data.problem !== 'maximum' && data.problem !== 'noMaximum'))
      return undefined;
    const memory = result.facts
      .flatMap((f) => f.memories)
      .find((m) => m.index === data.memoryIndex && !m.imported);
    if (!memory || memory.location.kind !== 'text' || memory.initial > limitPages) return undefined;
    const limits = memoryLimitTokens(document, memory.location);
    if (!limits) return undefined;
    const edit: TextEdit = limits.maximum
      ? { range: limits.maximum, newText: String(limitPages) }
      : { range: { start: limits.initial.end, end: limits.initial.end }, newText: ` ${limitPages}` };
    return {
      title: `${limits.maximum ? 'Lower' : 'Set'} the maximum of memory ${memory.index} to ${limitPages} pages (the policy limit)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [result.uri]: [edit] } },
    };
  }

  private ruleOffForFile(
    policy: PolicyText,
    result: ModuleResult,
    ruleId: string,
    diagnostic: Diagnostic,
  ): CodeAction {
    const modulePath = uriToPath(result.uri) ?? result.uri;
    const relative = path.relative(path.dirname(policy.file), modulePath).split(path.sep).join('/');
    return {
      title: `Turn off ${ruleId} for ${path.basename(modulePath)} in ${path.basename(policy.file)}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: {
        changes: {
          [policy.uri]: jsonEdits(policy.text, ['overrides', -1], {
            files: [relative],
            rules: { [ruleId]: 'off' },
          }),
        },
      },
    };
  }
}

/** jsonc-parser edits (offsets) as LSP text edits (positions) in `text`. */
function jsonEdits(text: string, jsonPath: Array<string | number>, value: unknown): TextEdit[] {
  const lines = new LineIndex(text);
  return modify(text, jsonPath, value, { formattingOptions: FORMAT }).map((e) => {
    const span = lines.span(e.offset, e.offset + e.length);
    return { range: { start: span.start, end: span.end }, newText: e.content };
  });
}

/**
 * The limit numbers of a `(memory …)` field: the first one or two numbers directly inside it
 * (after `$id`, `i64` and inline `(export …)`/`(import …)`, before `shared`).
 */
export function memoryLimitTokens(
  document: TextDocument,
  span: TextSpan,
):
  | {
      initial: { start: TextSpan['start']; end: TextSpan['end'] };
      maximum?: { start: TextSpan['start']; end: TextSpan['end'] };
    }
  | undefined {
  const start = document.offsetAt(span.start);
  const text = document.getText().slice(start, document.offsetAt(span.end));
  let depth = 0;
  const numbers: Array<{ start: number; end: number }> = [];
  for (const token of lex(text).tokens) {
    if (token.kind === 'lparen' || token.kind === 'annotation') depth++;
    else if (token.kind === 'rparen') depth--;
    else if (depth === 1 && token.kind === 'number') numbers.push(token);
    else if (depth === 1 && token.kind === 'keyword' && token.text === 'shared') break;
  }
  if (numbers.length === 0) return undefined;
  const range = (t: { start: number; end: number }) => ({
    start: document.positionAt(start + t.start),
    end: document.positionAt(start + t.end),
  });
  return { initial: range(numbers[0]), ...(numbers[1] ? { maximum: range(numbers[1]) } : {}) };
}

function dedupe(actions: CodeAction[]): CodeAction[] {
  const seen = new Set<string>();
  return actions.filter((a) => (seen.has(a.title) ? false : (seen.add(a.title), true)));
}
