/** Turns core findings into LSP diagnostics. The one place that knows both shapes. */
import { Diagnostic, DiagnosticSeverity, type Range } from 'vscode-languageserver';
import type { Finding, Severity } from '../core/findings';
import type { SourceLocation } from '../core/location';
import { ruleDocsUrl } from '../core/docsUrl';

export const DIAGNOSTIC_SOURCE = 'wasm-warden';

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

/**
 * `range` places a binary finding on a line of the `.wasm` text view; without one, the finding
 * sits at the file's start and its message names the byte offset.
 */
export function toDiagnostic(finding: Finding, range?: Range): Diagnostic {
  const where =
    finding.location.kind === 'binary' && !range
      ? ` (at byte 0x${finding.location.offset.toString(16)})`
      : '';
  const diagnostic = Diagnostic.create(
    range ?? toRange(finding.location),
    finding.message + where,
    SEVERITY[finding.severity],
    finding.ruleId,
    DIAGNOSTIC_SOURCE,
  );
  diagnostic.codeDescription = { href: ruleDocsUrl(finding.ruleId) };
  if (finding.data) diagnostic.data = finding.data;
  return diagnostic;
}
