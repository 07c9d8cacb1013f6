/** Turns core findings into LSP diagnostics. The one place that knows both shapes. */
import { Diagnostic, DiagnosticSeverity, type Range } from 'vscode-languageserver';
import type { Finding, Severity } from '../core/findings';
import type { SourceLocation } from '../core/location';

export const DIAGNOSTIC_SOURCE = 'wasm-warden';
export const DOCS_BASE_URL = 'https://github.com/wasm-warden/wasm-warden/blob/main/docs/rules/';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Binary locations have no text range of their own; until a text view maps them they sit on line 0. */
export function toRange(location: SourceLocation): Range {
  if (location.kind === 'text') return { start: location.start, end: location.end };
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

export function toDiagnostic(finding: Finding): Diagnostic {
  const diagnostic = Diagnostic.create(
    toRange(finding.location),
    finding.message,
    SEVERITY[finding.severity],
    finding.ruleId,
    DIAGNOSTIC_SOURCE,
  );
  diagnostic.codeDescription = { href: `${DOCS_BASE_URL}${finding.ruleId}.md` };
  if (finding.data) diagnostic.data = finding.data;
  return diagnostic;
}
