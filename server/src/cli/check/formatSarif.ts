/**
 * `--format sarif`: SARIF 2.1.0 for code scanning. Text findings become regions in lines and
 * columns (UTF-16, as the editor counts them); binary findings become byte regions. The policy
 * files in force are listed as artifacts so a reviewer sees which configuration decided.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../../core/findings';
import { ruleDocsUrl } from '../../core/docsUrl';
import { VERSION } from '../../version';
import type { CheckReport, RuleDescriptor } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

function artifactUri(report: CheckReport, file: string): { uri: string; uriBaseId?: string } {
  const relative = path.relative(report.cwd, file);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  return { uri: pathToFileURL(file).href };
}

function region(finding: Finding): Record<string, number> {
  const l = finding.location;
  if (l.kind === 'binary') return { byteOffset: l.offset, byteLength: l.length };
  return {
    startLine: l.start.line + 1,
    startColumn: l.start.character + 1,
    endLine: l.end.line + 1,
    endColumn: l.end.character + 1,
  };
}

/**
 * The path from an entry point to the call site of an import (findings of the import rules carry
 * it as `data.reach.flow`), as one SARIF thread flow: code scanning shows it step by step.
 */
function codeFlows(report: CheckReport, file: string, finding: Finding): { codeFlows?: unknown[] } {
  const flow = (
    finding.data?.reach as { flow?: Array<{ message: string; location: Finding['location'] }> } | undefined
  )?.flow;
  if (!flow || flow.length === 0) return {};
  const locations = flow.map((step) => ({
    location: {
      physicalLocation: {
        artifactLocation: artifactUri(report, file),
        region: region({ ...finding, location: step.location }),
      },
      message: { text: step.message },
    },
  }));
  return { codeFlows: [{ threadFlows: [{ locations }] }] };
}

export function formatSarif(report: CheckReport, rules: RuleDescriptor[]): string {
  // Findings outside the registry (syntax errors, unreadable policies) still need a rule entry.
  const known = new Map(rules.map((r) => [r.id, r]));
  for (const file of report.files) {
    for (const f of file.findings) {
      if (!known.has(f.ruleId))
        known.set(f.ruleId, {
          id: f.ruleId,
          description: f.ruleId.replace(/-/g, ' '),
          defaultSeverity: f.severity,
        });
    }
  }
  const descriptors = [...known.values()];
  const ruleIndex = new Map(descriptors.map((r, i) => [r.id, i]));

  const policyFiles = [...new Set(report.files.flatMap((f) => (f.policyPath ? [f.policyPath] : [])))];
  const artifacts = [
    ...policyFiles.map((p) => ({ location: artifactUri(report, p), roles: ['userSpecifiedConfiguration'] })),
    ...report.files.map((f) => ({ location: artifactUri(report, f.path), roles: ['analysisTarget'] })),
  ];

  const results = report.files.flatMap((file) =>
    file.findings.map((finding) => ({
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        { physicalLocation: { artifactLocation: artifactUri(report, file.path), region: region(finding) } },
      ],
      ...codeFlows(report, file.path, finding),
      ...(finding.decidedBy?.location && finding.decidedBy.file && path.isAbsolute(finding.decidedBy.file)
        ? {
            relatedLocations: [
              {
                id: 1,
                message: { text: `decided by ${finding.decidedBy.text ?? 'this policy entry'}` },
                physicalLocation: {
                  artifactLocation: artifactUri(report, finding.decidedBy.file),
                  region: region({ ...finding, location: finding.decidedBy.location }),
                },
              },
            ],
          }
        : {}),
    })),
  );

  const notifications = [
    ...report.problems.map((p) => ({ level: 'error', message: { text: `${p.path}: ${p.message}` } })),
    ...report.files
      .filter((f) => f.error)
      .map((f) => ({
        level: 'error',
        message: { text: `${path.relative(report.cwd, f.path)}: ${f.error}` },
      })),
  ];

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wasm-warden',
            fullName: 'Wasm Warden',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: 'https://github.com/wasm-warden/wasm-warden',
            rules: descriptors.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.rationale ?? r.description },
              help: {
                text: `${r.description}${r.rationale ? ` ${r.rationale}` : ''} See ${ruleDocsUrl(r.id)}`,
              },
              helpUri: ruleDocsUrl(r.id),
              defaultConfiguration:
                r.defaultSeverity === 'off' ? { enabled: false } : { level: LEVEL[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(report.cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        artifacts,
        results,
        invocations: [
          { executionSuccessful: report.problems.length === 0, toolExecutionNotifications: notifications },
        ],
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
