/**
 * Components (the component model's binary layer): their imports and exports by name, and the core
 * modules and components nested inside, each read into its own facts. The type, alias, canon and
 * instance sections feed the component's index spaces (component/spaces.ts), from which come its
 * typed world, its WIT and what satisfies each import of a nested core module.
 */
import { ComponentSpaces } from '../component/spaces';
import type { TypeScope } from '../component/typeReader';
import { buildWorld } from '../component/world';
import { ByteReader, MalformedError } from './byteReader';
import { ENGINE_LIMITS } from './engineLimits';
import { EntryBudget } from '../component/entryBudget';
import {
  emptyFacts,
  invalidModule,
  readCoreModule,
  recordCustomSection,
  sortProposals,
  WASM_MAGIC,
} from './coreModule';
import type { ComponentExternKind, ComponentFacts, ModuleFacts } from './model';
import { byteSpan } from '../location';
import { readExternName } from '../component/names';

/** Version and layer bytes of a component: `0d 00 01 00`. */
export const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];

/** Component section ids and their names (the custom section's is its own name). */
export const SECTION_NAMES: Record<number, string> = {
  0: 'custom',
  1: 'core module',
  2: 'core instance',
  3: 'core type',
  4: 'component',
  5: 'instance',
  6: 'alias',
  7: 'type',
  8: 'canon',
  9: 'start',
  10: 'import',
  11: 'export',
  12: 'value',
};

const EXTERN_DESC_KINDS: ComponentExternKind[] = ['module', 'func', 'value', 'type', 'component', 'instance'];

/** Nesting deeper than this is reported instead of followed (no stack overflow on hostile input). */
export const MAX_NESTING = 64;

export function hasComponentPreamble(bytes: Uint8Array, start = 0): boolean {
  if (bytes.length - start < 8) return false;
  for (let i = 0; i < 4; i++)
    if (bytes[start + i] !== WASM_MAGIC[i] || bytes[start + 4 + i] !== COMPONENT_VERSION[i]) return false;
  return true;
}

/** A section's id and where its payload ends; a size past the end of the component is an error. */
export function readSectionHeader(r: ByteReader): { id: number; payloadEnd: number } {
  const sectionStart = r.pos;
  const id = r.u8();
  const size = r.varU32();
  if (size > r.remaining)
    r.fail(
      `section size ${size} of the ${SECTION_NAMES[id] ?? `unknown (${id})`} section runs past the end of the component (${r.remaining} bytes left)`,
      sectionStart + 1,
    );
  return { id, payloadEnd: r.pos + size };
}

/** Reads the component in bytes[start, end); offsets in the result are absolute. */
export function readComponent(bytes: Uint8Array, start = 0, end = bytes.length): ModuleFacts {
  return readComponentSpaces(bytes, start, end, 0, null).facts;
}

function readComponentSpaces(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  parentScope: TypeScope | null,
  /** Shared by the whole file: nested components count toward the same total. */
  budget = new EntryBudget(),
): { facts: ModuleFacts; spaces: ComponentSpaces } {
  const facts = emptyFacts('component', start, end);
  const component: ComponentFacts = { imports: [], exports: [] };
  facts.components = component;
  facts.modules = [];
  const spaces = new ComponentSpaces(parentScope, budget);
  // After the first problem in a typed section the index spaces are incomplete: later sections
  // would only repeat it, so typed decoding stops there (names and nested modules still read).
  let typesBroken = false;
  const r = new ByteReader(bytes, start + 8, end);
  const report = (error: unknown): void => {
    if (error instanceof MalformedError) facts.problems.push(invalidModule(error.message, error.offset, end));
    else
      facts.problems.push(
        invalidModule(`internal error while reading the component: ${String(error)}`, start, end),
      );
  };
  while (!r.atEnd()) {
    const sectionStart = r.pos;
    let id: number;
    let payloadEnd: number;
    try {
      ({ id, payloadEnd } = readSectionHeader(r));
    } catch (error) {
      report(error);
      break;
    }
    const payloadStart = r.pos;
    try {
      const section = new ByteReader(bytes, payloadStart, payloadEnd);
      const name = SECTION_NAMES[id];
      if (name === undefined) section.fail(`malformed component section id ${id}`, sectionStart);
      const customName = id === 0 ? section.name() : name;
      facts.sections!.push({
        id,
        name: customName,
        offset: sectionStart,
        size: payloadEnd - sectionStart,
        payloadOffset: section.pos,
      });
      if (id === 0) {
        recordCustomSection(facts, bytes, customName, sectionStart, section.pos, payloadEnd, end);
      } else if (id === 1 || id === 4) {
        if (depth >= MAX_NESTING)
          section.fail(`components nested more than ${MAX_NESTING} deep`, sectionStart);
        if (id === 1) {
          const nested = readCoreModule(bytes, payloadStart, payloadEnd);
          spaces.nested(facts.modules.push(nested) - 1, false, nested.imports);
        } else {
          const inner = readComponentSpaces(bytes, payloadStart, payloadEnd, depth + 1, spaces.scope, budget);
          const ordinal = facts.modules.push(inner.facts) - 1;
          spaces.nested(ordinal, true, []);
          spaces.nestedExports.set(ordinal, inner.spaces.exports);
        }
      } else if (id === 10) {
        readExterns(section, component.imports, 'import');
      } else if (id === 11) {
        readExterns(section, component.exports, 'export');
      }
    } catch (error) {
      report(error);
    }
    if (!typesBroken && id >= 2 && id <= 11 && id !== 4) {
      try {
        spaces.section(id, new ByteReader(bytes, payloadStart, payloadEnd));
      } catch (error) {
        typesBroken = true;
        report(error);
      }
    }
    r.pos = payloadEnd;
  }
  const { world, wit } = buildWorld(spaces.imports, spaces.exports);
  component.world = world;
  component.wit = wit;
  spaces.resolveShims(facts.modules);
  component.coreImports = spaces.links;
  component.features = firstUses(spaces.features);
  // A component's own problems come first; nested modules' problems are already absolute.
  for (const nested of facts.modules) facts.problems.push(...nested.problems);
  facts.proposals = sortProposals(facts.modules.flatMap((m) => m.proposals));
  return { facts, spaces };
}

/** The first use of each component-model feature, located (`component-async`, … as `runtime.features` names them). */
function firstUses(uses: ComponentSpaces['features']): NonNullable<ComponentFacts['features']> {
  const seen = new Map<string, number>();
  for (const u of uses) if (!seen.has(u.feature)) seen.set(u.feature, u.offset);
  return [...seen].map(([feature, offset]) => ({
    feature: `component-${feature}`,
    location: byteSpan(offset, 1),
  }));
}

/** An `externdesc`: what is imported (or the ascribed type of an export). */
function readExternDesc(r: ByteReader): ComponentExternKind {
  const at = r.pos;
  const tag = r.u8();
  const kind = EXTERN_DESC_KINDS[tag];
  if (kind === undefined) r.fail(`malformed extern descriptor 0x${tag.toString(16)}`, at);
  switch (tag) {
    case 0x00:
      if (r.u8() !== 0x11) r.fail('malformed core module descriptor (expected 0x11)', at + 1);
      r.varU32();
      break;
    case 0x02:
    case 0x03: {
      const bound = r.u8();
      if (bound === 0x00) r.varU32();
      else if (bound === 0x01) {
        if (tag === 0x02) r.skipVarInt(33); // value type: a primitive or a type index
      } else r.fail(`malformed bound 0x${bound.toString(16)}`, r.pos - 1);
      break;
    }
    default:
      r.varU32();
  }
  return kind;
}

/** A `sortidx`: sort (core sorts carry a second byte) and index. Returns the component extern kind. */
function readSortIndex(r: ByteReader): ComponentExternKind {
  const at = r.pos;
  const sort = r.u8();
  if (sort === 0x00) {
    const core = r.u8();
    r.varU32();
    return core === 0x11 ? 'module' : 'func';
  }
  const kind = EXTERN_DESC_KINDS[sort];
  if (kind === undefined) r.fail(`malformed sort 0x${sort.toString(16)}`, at);
  r.varU32();
  return kind;
}

function readExterns(r: ByteReader, into: ComponentFacts['imports'], what: 'import' | 'export'): void {
  const n = r.count(3, what === 'import' ? ENGINE_LIMITS.imports : ENGINE_LIMITS.exports);
  for (let i = 0; i < n; i++) {
    const entryStart = r.pos;
    const name = readExternName(r);
    let kind: ComponentExternKind;
    if (what === 'import') kind = readExternDesc(r);
    else {
      kind = readSortIndex(r);
      const hasType = r.u8();
      if (hasType === 0x01) readExternDesc(r);
      else if (hasType !== 0x00) r.fail(`malformed export type flag 0x${hasType.toString(16)}`, r.pos - 1);
    }
    into.push({ name, kind, location: byteSpan(entryStart, r.pos - entryStart) });
  }
}

/** Every core module inside a component, depth first (a core module yields itself). */
export function allCoreModules(facts: ModuleFacts): ModuleFacts[] {
  if (facts.kind === 'module') return [facts];
  return (facts.modules ?? []).flatMap(allCoreModules);
}
