/** `table-exposure`: tables the host can see or change, and how many indirect calls go through them. */
import type { Finding } from '../findings';
import type { TableExposureFixData } from './fixData';
import { createRule, type CodeView } from './rule';

/** Indirect calls in the whole module, or null when function bodies could not be read. */
export function countIndirectCalls(code: CodeView | undefined): number | null {
  if (!code) return null;
  let total = 0;
  for (const fn of code.functions()) total += fn.counts.callIndirect;
  return total;
}

export const tableExposure = createRule({
  meta: {
    id: 'table-exposure',
    description: 'Tables that are imported, exported or growable, with the number of indirect calls.',
    rationale:
      'A table the host can write decides where call_indirect jumps: whoever controls the table controls which function runs.',
    defaultSeverity: 'info',
    policyFields: ['rules.table-exposure'],
    needsCode: true,
    messages: {
      exposed: 'Table {{table}} ({{elementType}}) is {{how}}{{calls}}.',
    },
  },
  check(context) {
    const findings: Finding[] = [];
    let calls: number | null | undefined;
    for (const table of context.facts.tables) {
      const how: string[] = [];
      if (table.imported) {
        const source = context.facts.imports.find((i) => i.kind === 'table' && i.index === table.index);
        how.push(source ? `imported from "${source.module}.${source.name}"` : 'imported');
      }
      if (table.exportedAs.length > 0)
        how.push(`exported as ${table.exportedAs.map((n) => `"${n}"`).join(', ')}`);
      const growable = table.maximum === null || table.maximum > table.initial;
      if (growable)
        how.push(table.maximum === null ? 'growable without a maximum' : `growable to ${table.maximum}`);
      // Growth alone is ordinary (Emscripten and Rust grow their function tables); report it only
      // together with host access, where growth lets the host add entries.
      if (!table.imported && table.exportedAs.length === 0) continue;
      if (calls === undefined) calls = countIndirectCalls(context.code);
      const callText =
        calls === null ? '' : `; the module makes ${calls} indirect call${calls === 1 ? '' : 's'}`;
      findings.push(
        context.report({
          messageId: 'exposed',
          location: table.location,
          data: { table: table.index, elementType: table.elementType, how: how.join(', '), calls: callText },
          fix: {
            tableIndex: table.index,
            imported: table.imported,
            exportedAs: table.exportedAs,
            indirectCalls: calls,
          } satisfies TableExposureFixData,
        }),
      );
    }
    return findings;
  },
});
