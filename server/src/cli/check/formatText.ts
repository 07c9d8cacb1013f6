/** `--format text`: grouped by file, `line:col` for text and `+0xOFFSET` for binaries, a summary line. */
import * as path from 'node:path';
import type { Finding, Severity } from '../../core/findings';
import type { SourceLocation } from '../../core/location';
import { countFindings, type CheckReport } from './report';

const COLOURS = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1, underline: 4 } as const;
type Colour = keyof typeof COLOURS;

export function formatLocation(location: SourceLocation): string {
  return location.kind === 'text'
    ? `${location.start.line + 1}:${location.start.character + 1}`
    : `+0x${location.offset.toString(16)}`;
}

const SEVERITY_COLOUR: Record<Severity, Colour> = { error: 'red', warning: 'yellow', info: 'cyan' };

/** Reading order: by line and column in text, by offset in binaries. */
function byLocation(a: Finding, b: Finding): number {
  const key = (f: Finding) =>
    f.location.kind === 'text' ? f.location.start.line * 1e7 + f.location.start.character : f.location.offset;
  return key(a) - key(b);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatText(report: CheckReport, options: { colour: boolean }): string {
  const paint = (colour: Colour, text: string): string =>
    options.colour ? `\u001b[${COLOURS[colour]}m${text}\u001b[0m` : text;
  const out: string[] = [];

  for (const problem of report.problems) {
    out.push(`${paint('red', 'error')}  ${problem.path}: ${problem.message}`);
  }
  if (report.problems.length > 0) out.push('');

  for (const file of report.files) {
    if (file.findings.length === 0 && !file.error) continue;
    out.push(paint('underline', path.relative(report.cwd, file.path) || file.path));
    if (file.error) out.push(`  ${paint('red', 'error')}  could not be checked: ${file.error}`);
    const rows = [...file.findings]
      .sort(byLocation)
      .map((f: Finding) => [formatLocation(f.location), f.severity, f.message, f.ruleId]);
    const locWidth = Math.max(0, ...rows.map((r) => r[0].length));
    for (const [loc, severity, message, ruleId] of rows) {
      const sev = severity as Severity;
      out.push(
        `  ${paint('dim', loc.padEnd(locWidth))}  ${paint(SEVERITY_COLOUR[sev], sev.padEnd(7))}  ${message}  ${paint('dim', ruleId)}`,
      );
    }
    out.push('');
  }

  const counts = countFindings(report);
  const total = counts.errors + counts.warnings + counts.infos;
  const checked = report.files.length - counts.unreadable;
  const unread = counts.unreadable + report.problems.length;
  // A check mark only when something was checked and nothing failed to read.
  const summary =
    total === 0 && unread === 0
      ? `✔ no problems in ${plural(checked, 'module')}`
      : total === 0 && checked === 0
        ? `✖ nothing was checked: ${plural(unread, 'path')} could not be read`
        : total === 0
          ? `✖ no problems in ${plural(checked, 'module')}, but ${unread} could not be read`
          : `✖ ${plural(total, 'problem')} (${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${counts.infos} info) in ${counts.filesWithFindings} of ${plural(checked, 'module')}${unread ? `; ${unread} could not be read` : ''}`;
  out.push(paint('bold', summary));
  return out.join('\n') + '\n';
}
