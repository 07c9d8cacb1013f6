/**
 * Syntax diagnostics for a `.wat` / `.wast` text: lexical errors, unbalanced parentheses and
 * unknown top-level forms. Deeper checks (field syntax, validation) come from the module reader.
 */
import type { Finding } from '../findings';
import { LineIndex } from '../location';
import { headKeyword, readSExpressions, type SExprResult } from './sexpr';

/** A file may be a script of modules and assertions (.wast), or one module's fields inline. */
const SCRIPT_COMMANDS = new Set([
  'module',
  'component',
  'register',
  'invoke',
  'get',
  'assert_return',
  'assert_trap',
  'assert_exhaustion',
  'assert_malformed',
  'assert_invalid',
  'assert_unlinkable',
  'assert_exception',
  'assert_suspension',
  'script',
  'input',
  'output',
  'thread',
  'wait',
  'either',
]);

const MODULE_FIELDS = new Set([
  'type',
  'rec',
  'import',
  'func',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'elem',
  'data',
  'tag',
]);

export const SYNTAX_RULE_ID = 'syntax-error';

/** True for the heads of module fields (`func`, `memory`, …), which may stand alone in a file. */
export function isModuleField(keyword: string | undefined): boolean {
  return keyword !== undefined && MODULE_FIELDS.has(keyword);
}

export function isKnownTopLevelForm(keyword: string): boolean {
  return SCRIPT_COMMANDS.has(keyword) || MODULE_FIELDS.has(keyword);
}

/**
 * Lexical and top-level syntax findings. The module reader (`readWatModules`) adds the findings of
 * each field on top of these; the two never report the same problem.
 */
export function checkWatSyntax(
  text: string,
  parsed: SExprResult = readSExpressions(text),
  lines: LineIndex = new LineIndex(text),
): Finding[] {
  const findings: Finding[] = parsed.errors.map((e) => ({
    ruleId: SYNTAX_RULE_ID,
    severity: 'error',
    message: e.message,
    location: lines.span(e.start, e.end),
  }));

  for (const node of parsed.nodes) {
    if (node.type === 'atom') {
      findings.push({
        ruleId: SYNTAX_RULE_ID,
        severity: 'error',
        message: `Unexpected ${JSON.stringify(node.token.text.slice(0, 40))} at top level: expected "(module ...)" or a module field.`,
        location: lines.span(node.start, node.end),
      });
      continue;
    }
    if (node.isAnnotation) continue; // (@custom ...) and friends are allowed anywhere
    const head = headKeyword(node);
    if (head === undefined || !isKnownTopLevelForm(head)) {
      const first = node.children[0];
      const at = first ?? node.open;
      findings.push({
        ruleId: SYNTAX_RULE_ID,
        severity: 'error',
        message:
          head === undefined
            ? 'Expected a keyword such as "module" after "(".'
            : `Unknown top-level form "(${head.slice(0, 40)}": expected "module", a module field (func, memory, import, ...) or a script command.`,
        location: lines.span(at.start, at.end),
      });
    }
  }
  return findings;
}
