/**
 * A CodeLens above each `(module` in `.wat` documents with the module's summary
 * (`capabilities · signature · policy`); clicking it opens the policy in force, or offers to
 * create one when none governs the module.
 */
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import { toRange } from '../lsp/convert';
import type { ModuleAnalyzer } from './moduleAnalysis';
import { summarize } from './moduleSummary';

export const OPEN_POLICY_COMMAND = 'wasmWarden.openPolicy';

export function provideCodeLenses(analyzer: ModuleAnalyzer, params: CodeLensParams): CodeLens[] {
  const result = analyzer.get(params.textDocument.uri);
  if (!result || result.source !== 'text') return [];
  const summary = summarize(result);
  return result.facts
    .filter((facts) => facts.location.kind === 'text')
    .map((facts) => ({
      range: toRange(facts.location),
      command: {
        title: `$(shield) ${summary.text}`,
        command: OPEN_POLICY_COMMAND,
        arguments: [{ uri: result.uri, policy: summary.policy.path ?? null }],
      },
    }));
}
