/**
 * What import findings say about the code that reaches an imported function: the entry points
 * that can call it and one path from an entry point to a call site (SARIF codeFlows carry it), or
 * that nothing calls it, in which case the finding drops one severity level unless the policy says
 * `imports.neverCalled: "keep"` or sets the rule's severity itself.
 */
import type { Severity } from '../../findings';
import { byteSpan, type SourceLocation } from '../../location';
import type { ModuleFacts } from '../../module/model';
import type { EntryPoint } from '../../reach/callGraph';
import type { Reachability } from '../../reach/reachability';
import type { CodeView } from '../rule';
import type { EffectivePolicy } from '../../policy/types';

/** One step of a path from an entry point to a call site, as findings carry it (plain JSON). */
export interface FlowStep {
  message: string;
  location: SourceLocation;
}

export interface ImportReach {
  /** A sentence (with a leading space) for the finding's message; empty when bodies were not read. */
  sentence: string;
  /** The severity to report: `natural`, or one level lower for an import nothing calls. */
  severity: Severity;
  /** Plain data for the finding: entry names, the path and the never-called verdict. */
  data?: { neverCalled: boolean; entries: string[]; flow: FlowStep[] };
}

const LOWER: Record<Severity, Severity> = { error: 'warning', warning: 'info', info: 'info' };

/** `$name` when the module names the function, otherwise `func[i]` as wasm-objdump writes it. */
export function functionLabel(facts: ModuleFacts, funcIndex: number): string {
  const fn = facts.functions[funcIndex];
  const name = fn?.name ?? facts.functionNames[funcIndex];
  if (fn?.imported) {
    const imp = facts.imports.find((i) => i.kind === 'func' && i.index === funcIndex);
    if (imp) return `${imp.module}.${imp.name}`;
  }
  if (name) return name.startsWith('$') ? name : `$${name}`;
  return `func[${funcIndex}]`;
}

export function entryLabel(entry: EntryPoint): string {
  if (entry.kind === 'start') return 'the start function';
  if (entry.kind === 'table') return `table \`${entry.name}\``;
  return `export \`${entry.name}\``;
}

/** Reachability of imported function `funcIndex`, or undefined when the code could not be read. */
export function importReach(
  code: CodeView | undefined,
  facts: ModuleFacts,
  policy: EffectivePolicy,
  funcIndex: number,
  natural: Severity,
  /** The policy or a setting fixed the rule's severity: nothing is lowered, and the message must not say so. */
  severityConfigured: boolean,
): ImportReach {
  let reach: Reachability | undefined;
  try {
    reach = code?.reachability();
  } catch {
    reach = undefined; // an unreadable code section: say nothing rather than something wrong
  }
  if (!reach || funcIndex >= reach.graph.functionCount) return { sentence: '', severity: natural };
  const entries = reach.entriesReaching(funcIndex);
  if (entries.length === 0) {
    // A broken policy fails closed: its strict fallback keeps every severity.
    const keep =
      severityConfigured ||
      policy.imports.neverCalled?.value === 'keep' ||
      policy.source.kind === 'strict-fallback';
    return {
      sentence:
        ' Declared but never called: no export, start function or exported table reaches it' +
        (keep ? '.' : ', so this is reported one level lower.'),
      severity: keep ? natural : LOWER[natural],
      data: { neverCalled: true, entries: [], flow: [] },
    };
  }
  const path = reach.pathTo(funcIndex);
  const names = entries.map(entryLabel);
  const others =
    entries.length > 1 ? ` (and ${entries.length - 1} more entry point${entries.length > 2 ? 's' : ''})` : '';
  let sentence = ` Reached from ${path ? entryLabel(path.entry) : names[0]}${others}`;
  const flow: FlowStep[] = [];
  if (path) {
    const middle = path.steps
      .slice(1, -1)
      .map((s) => `${s.via === 'indirect' ? '(indirect) ' : ''}\`${functionLabel(facts, s.funcIndex)}\``);
    const lastIndirect = path.steps[path.steps.length - 1]?.via === 'indirect';
    if (middle.length > 0) sentence += ` via ${middle.join(' → ')}`;
    if (lastIndirect) sentence += ' (through an indirect call)';
    const at = (f: number) => facts.functions[f]?.location ?? facts.location;
    for (const [i, step] of path.steps.slice(0, -1).entries()) {
      const label = functionLabel(facts, step.funcIndex);
      flow.push({
        message:
          i === 0
            ? `${entryLabel(path.entry)}: ${label}`
            : `${step.via === 'indirect' ? 'indirect call to ' : 'calls '}${label}`,
        location: at(step.funcIndex),
      });
    }
    if (path.site) {
      const siteLocation = facts.source === 'binary' ? byteSpan(path.site.offset, 1) : at(path.site.caller);
      flow.push({ message: `call site of ${functionLabel(facts, funcIndex)}`, location: siteLocation });
    }
  }
  return { sentence: sentence + '.', severity: natural, data: { neverCalled: false, entries: names, flow } };
}
