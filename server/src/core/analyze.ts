/**
 * The analysis pipeline in one call: source → findings. The server, the CLI and the tests all go
 * through here, so a finding in the editor is a finding in CI.
 */
import type { Finding } from './findings';
import { checkWatSyntax } from './wat/syntax';

export interface TextSource {
  fileName: string;
  text: string;
}

export interface AnalysisResult {
  findings: Finding[];
}

export function analyzeText(source: TextSource): AnalysisResult {
  return { findings: checkWatSyntax(source.text) };
}
