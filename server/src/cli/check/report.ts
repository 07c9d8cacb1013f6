/** What one `wasm-warden check` run found: the input of every output format. */
import type { Finding, Severity } from '../../core/findings';
import type { DiscoveryProblem } from '../../core/discover';

export interface FileReport {
  /** Absolute path. */
  path: string;
  findings: Finding[];
  /** The policy file in force for this module, when one governs it. */
  policyPath?: string;
  /** Set when the file could not be checked at all (unreadable, vanished). */
  error?: string;
  /** The broken policy file, when this module was checked against the strict fallback instead. */
  policyBroken?: string;
}

export interface CheckReport {
  cwd: string;
  files: FileReport[];
  problems: DiscoveryProblem[];
}

/** What a rule says about itself, for SARIF's tool driver and help texts. */
export interface RuleDescriptor {
  id: string;
  description: string;
  rationale?: string;
  defaultSeverity: Severity | 'off';
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
  filesWithFindings: number;
  unreadable: number;
}

export function countFindings(report: CheckReport): Counts {
  const counts: Counts = { errors: 0, warnings: 0, infos: 0, filesWithFindings: 0, unreadable: 0 };
  for (const file of report.files) {
    if (file.error) counts.unreadable++;
    if (file.findings.length > 0) counts.filesWithFindings++;
    for (const f of file.findings) {
      if (f.severity === 'error') counts.errors++;
      else if (f.severity === 'warning') counts.warnings++;
      else counts.infos++;
    }
  }
  return counts;
}
