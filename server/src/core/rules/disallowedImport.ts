/** `disallowed-import`: an import the policy does not allow, with the policy line that decided. */
import type { Finding } from '../findings';
import { createRule } from './rule';

export const disallowedImport = createRule({
  meta: {
    id: 'disallowed-import',
    description: 'Imports that the policy denies or warns about.',
    rationale:
      'Imports are everything a module can do outside its own memory: files, sockets, the host page. A module should get only the capabilities its policy grants.',
    defaultSeverity: 'error',
    policyFields: ['imports.allow', 'imports.deny', 'imports.capabilities', 'imports.otherwise'],
    needsCode: false,
    messages: {
      coreDenied: 'Import "{{module}}.{{name}}" ({{kind}}{{capability}}) is not allowed: {{reason}}.',
      coreWarned: 'Import "{{module}}.{{name}}" ({{kind}}{{capability}}) needs review: {{reason}}.',
      componentDenied: 'Component import "{{name}}"{{capability}} is not allowed: {{reason}}.',
      componentWarned: 'Component import "{{name}}"{{capability}} needs review: {{reason}}.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const findings: Finding[] = [];
    // A nested core module's imports are wired inside its component; the component's own
    // imports are the boundary the policy speaks about.
    if (!context.nested) {
      for (const imp of facts.imports) {
        const verdict = policy.checkImport(imp.module, imp.name);
        if (verdict.decision === 'allow') continue;
        findings.push(
          context.report({
            messageId: verdict.decision === 'deny' ? 'coreDenied' : 'coreWarned',
            severity: verdict.decision === 'deny' ? 'error' : 'warning',
            location: imp.location,
            data: {
              module: imp.module,
              name: imp.name,
              kind: imp.kind,
              capability: verdict.capability ? `, capability "${verdict.capability}"` : '',
              reason: verdict.reason,
            },
            decidedBy: verdict.decidedBy,
            fix: {
              module: imp.module,
              name: imp.name,
              kind: imp.kind,
              capability: verdict.capability ?? null,
              decision: verdict.decision,
            },
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
            },
          }),
        );
    }
    return findings;
  },
});
