/**
 * Merges what modules need into a policy the user already has, instead of replacing it: every
 * key, comment, `extends`, deny pattern and rule stays as written (jsonc-parser `modify`); imports
 * the policy does not yet allow are appended to `imports.allow`, each with a comment saying what it
 * grants, and DANGEROUS when it is. An import a deny pattern blocks stays denied: the user decided.
 */
import { findNodeAtLocation, modify, parseTree, type FormattingOptions, type ParseError } from 'jsonc-parser';
import type { EffectivePolicy } from './types';
import { collectImports, type GenerationInput } from './generate';

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

export interface PolicyMerge {
  /** The policy text with the new allows; equal to the input when nothing was needed. */
  text: string;
  /** Patterns added to imports.allow. */
  added: string[];
  /** Added patterns that are dangerous to grant (also marked in their comments). */
  dangerous: string[];
  /** Imports the modules use that a deny pattern blocks; left denied, with the pattern's reason. */
  keptDenied: Array<{ pattern: string; reason: string }>;
}

function apply(text: string, edits: Array<{ offset: number; length: number; content: string }>): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset))
    out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

/** Block comments: a line comment could swallow a `]` that shares the line. */
function blockComment(text: string): string {
  return `/* ${text.replace(/\*\//g, '* /')} */`;
}

export function mergeIntoPolicy(
  existing: string,
  inputs: GenerationInput[],
  checkImport: EffectivePolicy['checkImport'],
): PolicyMerge {
  const errors: ParseError[] = [];
  const root = parseTree(existing, errors, { allowTrailingComma: true });
  const allowNode = root && findNodeAtLocation(root, ['imports', 'allow']);
  if (errors.length || root?.type !== 'object' || (allowNode && allowNode.type !== 'array'))
    throw new Error(
      'the policy there is not a JSON object with an imports.allow list; fix it first, then merge',
    );
  const result: PolicyMerge = { text: existing, added: [], dangerous: [], keptDenied: [] };
  const comments: string[] = [];
  for (const used of collectImports(inputs)) {
    const verdict = checkImport(used.module, used.name);
    if (verdict.decision === 'allow') continue;
    // Deny patterns are a decision the user wrote down; only `otherwise` is ours to override.
    if (verdict.decision === 'deny' && verdict.reason.includes('imports.deny')) {
      result.keptDenied.push({ pattern: used.pattern, reason: verdict.reason });
      continue;
    }
    const edits = modify(result.text, ['imports', 'allow', -1], used.pattern, { formattingOptions: FORMAT });
    result.text = apply(result.text, edits);
    result.added.push(used.pattern);
    comments.push(used.comment);
    if (used.danger) result.dangerous.push(used.pattern);
  }
  if (!comments.length) return result;
  // Comments last (modify appends right after the last element, which would strand a comment
  // written there earlier), from the end of the list so earlier offsets stay put.
  const allow = findNodeAtLocation(parseTree(result.text)!, ['imports', 'allow'])?.children ?? [];
  const addedNodes = allow.slice(allow.length - comments.length);
  for (let i = addedNodes.length - 1; i >= 0; i--) {
    const end = addedNodes[i].offset + addedNodes[i].length;
    result.text = `${result.text.slice(0, end)} ${blockComment(comments[i])}${result.text.slice(end)}`;
  }
  return result;
}
