/**
 * The `.wasm` text view is read-only, and VS Code offers no light bulb (so no quick fixes) in a
 * read-only editor. There each finding's fixes — the same code actions a `.wat` gets — are offered
 * as CodeLenses on its line; the client's `wasmWarden.applyFix` applies the chosen one.
 */
import type { CodeAction, CodeLens, Diagnostic } from 'vscode-languageserver';

export const APPLY_FIX_COMMAND = 'wasmWarden.applyFix';

export function viewFixLenses(
  viewUri: string,
  diagnostics: Diagnostic[],
  actionsFor: (viewUri: string, diagnostic: Diagnostic) => CodeAction[],
): CodeLens[] {
  const lenses: CodeLens[] = [];
  const offered = new Set<string>();
  for (const diagnostic of diagnostics) {
    for (const action of actionsFor(viewUri, diagnostic)) {
      // One lens per fix and line: several findings on a line often share a fix (Create Policy, Sign).
      const key = `${diagnostic.range.start.line}\u0000${action.title}`;
      if (offered.has(key)) continue;
      offered.add(key);
      lenses.push({
        range: diagnostic.range,
        command: { title: `$(lightbulb) ${action.title}`, command: APPLY_FIX_COMMAND, arguments: [action] },
      });
    }
  }
  return lenses;
}
