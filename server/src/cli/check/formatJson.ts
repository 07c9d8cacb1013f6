/** `--format json`: the report as data, paths relative to the working folder, positions 1-based like the text output. */
import * as path from 'node:path';
import { countFindings, type CheckReport } from './report';

export function formatJson(report: CheckReport): string {
  const counts = countFindings(report);
  const files = report.files.map((file) => ({
    path: path.relative(report.cwd, file.path) || file.path,
    policy: file.policyPath ? path.relative(report.cwd, file.policyPath) : null,
    error: file.error ?? null,
    findings: file.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      location:
        f.location.kind === 'text'
          ? {
              kind: 'text',
              line: f.location.start.line + 1,
              column: f.location.start.character + 1,
              endLine: f.location.end.line + 1,
              endColumn: f.location.end.character + 1,
            }
          : { kind: 'binary', offset: f.location.offset, length: f.location.length },
      decidedBy: f.decidedBy ?? null,
    })),
  }));
  return (
    JSON.stringify(
      {
        summary: {
          modules: report.files.length,
          errors: counts.errors,
          warnings: counts.warnings,
          infos: counts.infos,
        },
        problems: report.problems,
        files,
      },
      null,
      2,
    ) + '\n'
  );
}
