/**
 * Quick fixes for a policy file's own problems: a misspelt key, WASI name, module or rule that the
 * checker answered with `Did you mean "x"?` is replaced by the suggestion, inside the problem's range.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE } from '../lsp/convert';

/** `Unknown key "memroy" in … Did you mean "memory"?`: the word as written and the suggestion. */
const SUGGESTION = /"([^"]+)"[^]*Did you mean "([^"]+)"\?/;

export function policyQuickFixes(document: TextDocument, params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const match = typeof diagnostic.message === 'string' ? SUGGESTION.exec(diagnostic.message) : null;
    if (!match) continue;
    const [, written, suggested] = match;
    const start = document.offsetAt(diagnostic.range.start);
    const at = document.getText(diagnostic.range).indexOf(written);
    if (at < 0) continue;
    actions.push({
      title: `Change "${written}" to "${suggested}"`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: {
        changes: {
          [document.uri]: [
            {
              range: {
                start: document.positionAt(start + at),
                end: document.positionAt(start + at + written.length),
              },
              newText: suggested,
            },
          ],
        },
      },
    });
  }
  return actions;
}
