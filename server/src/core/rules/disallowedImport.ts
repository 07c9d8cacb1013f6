/** `disallowed-import`: an import the policy does not allow, with the policy line that decided. */
import type { Finding, Severity } from '../findings';
import type { ImportFact } from '../module/model';
import type { ImportVerdict } from '../policy/types';
import type { ImportFixData } from './fixData';
import { createRule } from './rule';
import { importReach, type ImportReach } from './support/importReach';

/**
 * From this many imports of one namespace decided alike (minified Emscripten output imports
 * `a.a`, `a.b`, … by the dozen), one finding lists them all instead of one finding each.
 */
const GROUP_FROM = 6;
/** Names listed in a grouped message; the rest are counted. */
const GROUP_LISTED = 60;

/** Imports decided by the same policy line for the same namespace, outside any capability group. */
function groupKey(imp: ImportFact, verdict: ImportVerdict): string | undefined {
  if (verdict.capability) return undefined;
  return [imp.module, verdict.decision, verdict.decidedBy.file, verdict.decidedBy.text].join('\u0000');
}

export const disallowedImport = createRule({
  meta: {
    id: 'disallowed-import',
    description: 'Imports that the policy denies or warns about.',
    rationale:
      'Imports are everything a module can do outside its own memory: files, sockets, the host page. A module should get only the capabilities its policy grants.',
    defaultSeverity: 'error',
    policyFields: ['imports.allow', 'imports.deny', 'imports.capabilities', 'imports.otherwise'],
    needsCode: false,
    // Bodies, when they can be had, say what reaches the import (built when a finding needs it).
    usesCallGraph: true,
    messages: {
      coreDenied:
        'Import "{{module}}.{{name}}" ({{kind}}{{capability}}) is not allowed: {{reason}}.{{reach}}',
      coreWarned: 'Import "{{module}}.{{name}}" ({{kind}}{{capability}}) needs review: {{reason}}.{{reach}}',
      componentDenied: 'Component import "{{name}}"{{capability}} is not allowed: {{reason}}.',
      componentWarned: 'Component import "{{name}}"{{capability}} needs review: {{reason}}.',
      coreGroupDenied:
        '{{count}} imports from "{{module}}" are not allowed: {{reason}}. They are: {{names}}.',
      coreGroupWarned: '{{count}} imports from "{{module}}" need review: {{reason}}. They are: {{names}}.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const findings: Finding[] = [];
    // A nested core module's imports are wired inside its component; the component's own
    // imports are the boundary the policy speaks about.
    if (!context.nested) {
      const refused = facts.imports
        .map((imp) => ({ imp, verdict: policy.checkImport(imp.module, imp.name) }))
        .filter(({ verdict }) => verdict.decision !== 'allow');
      const groups = new Map<string, typeof refused>();
      for (const entry of refused) {
        const key = groupKey(entry.imp, entry.verdict);
        if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), entry]);
      }
      const grouped = new Set<ImportFact>();
      for (const members of groups.values()) {
        if (members.length < GROUP_FROM) continue;
        const [{ imp, verdict }] = members;
        for (const m of members) grouped.add(m.imp);
        const names = members.slice(0, GROUP_LISTED).map((m) => `${m.imp.module}.${m.imp.name}`);
        if (members.length > GROUP_LISTED) names.push(`and ${members.length - GROUP_LISTED} more`);
        findings.push(
          context.report({
            messageId: verdict.decision === 'deny' ? 'coreGroupDenied' : 'coreGroupWarned',
            severity: verdict.decision === 'deny' ? 'error' : 'warning',
            location: imp.location,
            data: {
              count: String(members.length),
              module: imp.module,
              reason: verdict.reason,
              names: names.join(', '),
            },
            decidedBy: verdict.decidedBy,
            // The fix allows the namespace: `module.*`.
            fix: {
              module: imp.module,
              name: '*',
              kind: imp.kind,
              capability: null,
              decision: verdict.decision,
            } satisfies ImportFixData,
          }),
        );
      }
      for (const { imp, verdict } of refused) {
        if (grouped.has(imp)) continue;
        const natural: Severity = verdict.decision === 'deny' ? 'error' : 'warning';
        const reach: ImportReach =
          imp.kind === 'func'
            ? importReach(context.code, facts, policy, imp.index, natural, context.configured)
            : { sentence: '', severity: natural };
        findings.push(
          context.report({
            messageId: verdict.decision === 'deny' ? 'coreDenied' : 'coreWarned',
            severity: reach.severity,
            location: imp.location,
            data: {
              module: imp.module,
              name: imp.name,
              kind: imp.kind,
              capability: verdict.capability ? `, capability "${verdict.capability}"` : '',
              reason: verdict.reason,
              reach: reach.sentence,
            },
            decidedBy: verdict.decidedBy,
            fix: {
              module: imp.module,
              name: imp.name,
              kind: imp.kind,
              capability: verdict.capability ?? null,
              decision: verdict.decision,
              ...(reach.data ? { reach: reach.data } : {}),
            } satisfies ImportFixData,
          }),
        );
      }
    }
    // A nested component's imports are satisfied by the component around it, not by the host.
    const world = context.nested ? undefined : facts.components?.world;
    const componentImports = context.nested ? [] : (facts.components?.imports ?? []);
    for (const [n, imp] of componentImports.entries()) {
      // A component imports whole interfaces (`wasi:sockets/tcp@0.2.0`): the interface is the
      // "module" and there is no item name; `iface#function` patterns decide its functions one by one.
      const verdict = policy.checkImport(imp.name, '');
      const item = world?.imports[n];
      const functions = item?.kind === 'instance' && item.name === imp.name ? item.functions : [];
      const perFunction = functions.map((f) => ({
        name: f.name,
        verdict: policy.checkImport(imp.name, f.name),
      }));
      const refused = perFunction.filter((f) => f.verdict.decision !== 'allow');
      // The whole interface is refused when every function is (or it brings none): one finding.
      const whole = verdict.decision !== 'allow' && refused.length === perFunction.length;
      const subjects = whole
        ? [{ name: imp.name, verdict }]
        : refused.map((f) => ({ name: `${imp.name}#${f.name}`, verdict: f.verdict }));
      for (const { name, verdict } of subjects)
        findings.push(
          context.report({
            messageId: verdict.decision === 'deny' ? 'componentDenied' : 'componentWarned',
            severity: verdict.decision === 'deny' ? 'error' : 'warning',
            location: imp.location,
            data: {
              name,
              capability: verdict.capability ? ` (capability "${verdict.capability}")` : '',
              reason: verdict.reason,
            },
            decidedBy: verdict.decidedBy,
            fix: {
              module: imp.name,
              name: name === imp.name ? '' : name.slice(imp.name.length + 1),
              kind: 'instance',
              capability: verdict.capability ?? null,
              decision: verdict.decision,
            } satisfies ImportFixData,
          }),
        );
    }
    return findings;
  },
});
