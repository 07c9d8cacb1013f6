/**
 * A text outline of a component. wasmparser cannot print components, so the view lists the
 * component's sections in file order with their imports and exports by name, and prints every core
 * module inside with the core-module printer (nested components are outlined the same way).
 */
import type { ModuleFacts, SectionFact } from '../module/model';
import { printCoreModule, type DisassemblyError } from './coreModuleText';
import { formatCount, hex, type ViewBuilder } from './viewBuilder';

const STEP = '  ';

export function* printComponent(
  buffer: ArrayBuffer,
  facts: ModuleFacts,
  indent: string,
  out: ViewBuilder,
): Generator<void, DisassemblyError | null> {
  const start = facts.location.kind === 'binary' ? facts.location.offset : 0;
  out.push(`${indent}(component`, start);
  if (indent === '')
    out.note(
      STEP,
      'A WebAssembly component. Components have no disassembler yet: this view outlines the sections and prints the core modules inside.',
      start,
    );
  const inner = indent + STEP;
  const nested = [...(facts.modules ?? [])];
  const imports = facts.components?.imports ?? [];
  const exports = facts.components?.exports ?? [];
  let firstError: DisassemblyError | null = null;

  for (const section of facts.sections ?? []) {
    if (section.id === 1 || section.id === 4) {
      const module = nested.shift();
      if (!module) continue;
      out.note(
        inner,
        `${section.name} section at ${hex(section.offset)}, ${formatCount(section.size)} bytes:`,
        section.offset,
      );
      const error =
        module.kind === 'component'
          ? yield* printComponent(buffer, module, inner, out)
          : yield* printCoreModule(buffer, section.payloadOffset, section.offset + section.size, inner, out);
      firstError ??= error;
      continue;
    }
    out.note(
      inner,
      `${section.name} section at ${hex(section.offset)}, ${formatCount(section.size)} bytes`,
      section.offset,
    );
    const entries = section.id === 10 ? imports : section.id === 11 ? exports : [];
    const keyword = section.id === 10 ? 'import' : 'export';
    for (const entry of entries) {
      if (entry.location.kind !== 'binary' || !within(section, entry.location.offset)) continue;
      out.push(
        `${inner}(${keyword} ${JSON.stringify(entry.name)} (${entry.kind ?? 'unknown'}))`,
        entry.location.offset,
      );
    }
  }
  for (const problem of facts.problems) {
    if (problem.location.kind !== 'binary') continue;
    const { offset } = problem.location;
    // Problems of nested modules are reported where those modules are printed.
    if (nestedModuleAt(facts, offset)) continue;
    out.note(inner, `error at byte ${hex(offset)}: ${problem.message}`, offset);
    firstError ??= { message: problem.message, offset };
  }
  const end = facts.location.kind === 'binary' ? facts.location.offset + facts.location.length : start;
  out.push(`${indent})`, end);
  return firstError;
}

function within(section: SectionFact, offset: number): boolean {
  return offset >= section.offset && offset < section.offset + section.size;
}

function nestedModuleAt(facts: ModuleFacts, offset: number): boolean {
  return (facts.sections ?? []).some((s) => (s.id === 1 || s.id === 4) && within(s, offset));
}
