/**
 * The one model of a WebAssembly module that every rule, hover and CLI command reads. It is
 * produced from bytes (`readBinaryModule`) or from WAT text (`readWatModule`); both fill the same
 * shapes, so a rule never asks where a module came from. Locations are text spans for `.wat` and
 * byte spans for `.wasm`. Everything here is plain JSON-serialisable data except `lazy` members.
 */
import type { Finding } from '../findings';
import type { SourceLocation } from '../location';

export type ValueType = string; // 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | '(ref null $t)' ...

export interface FuncSignature {
  params: ValueType[];
  results: ValueType[];
}

export interface Limits {
  initial: number;
  /** null when the module declares no maximum. */
  maximum: number | null;
}

export interface MemoryType extends Limits {
  shared: boolean;
  memory64: boolean;
  /** Bytes per page: 65536 unless the custom-page-sizes proposal says otherwise. */
  pageSize: number;
}

export interface TableType extends Limits {
  elementType: ValueType;
  table64: boolean;
}

export interface GlobalType {
  valueType: ValueType;
  mutable: boolean;
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export type ImportType =
  | { kind: 'func'; signature: FuncSignature | null }
  | { kind: 'table'; table: TableType }
  | { kind: 'memory'; memory: MemoryType }
  | { kind: 'global'; global: GlobalType }
  | { kind: 'tag'; signature: FuncSignature | null };

export interface ImportFact {
  module: string;
  name: string;
  kind: ExternKind;
  type: ImportType;
  /** Index in its own index space (imported functions come first in the function space). */
  index: number;
  location: SourceLocation;
}

export interface ExportFact {
  name: string;
  kind: ExternKind;
  index: number;
  location: SourceLocation;
}

export interface MemoryFact extends MemoryType {
  index: number;
  imported: boolean;
  /** Names of exports that expose this memory. */
  exportedAs: string[];
  location: SourceLocation;
}

export interface TableFact extends TableType {
  index: number;
  imported: boolean;
  exportedAs: string[];
  location: SourceLocation;
}

export interface GlobalFact extends GlobalType {
  index: number;
  imported: boolean;
  exportedAs: string[];
  location: SourceLocation;
}

export interface StartFact {
  funcIndex: number;
  /** From the name section or the `$id` in text, when known. */
  funcName?: string;
  location: SourceLocation;
}

export interface DataSegmentFact {
  index: number;
  mode: 'active' | 'passive';
  memoryIndex?: number;
  /** The constant offset of an active segment; null when it is computed (global.get and the like). */
  offset?: number | null;
  size: number;
  location: SourceLocation;
  /** Where the segment's bytes start in the file (binary), for rules that read contents. */
  contentOffset?: number;
}

export interface ElementSegmentFact {
  index: number;
  mode: 'active' | 'passive' | 'declarative';
  tableIndex?: number;
  count: number;
  location: SourceLocation;
}

export interface CustomSectionFact {
  name: string;
  /** Payload size in bytes (after the name). */
  size: number;
  location: SourceLocation;
  /** Offset of the payload in the file (binary only). */
  payloadOffset?: number;
}

export interface FunctionFact {
  index: number;
  name?: string;
  signature: FuncSignature | null;
  imported: boolean;
  exportedAs: string[];
  /** Body size in bytes (binary) or undefined for imports. */
  bodySize?: number;
  /** Where the body (locals and code, after its size) starts in the file (binary only). */
  bodyOffset?: number;
  location: SourceLocation;
}

export interface SignatureSectionFact {
  specVersion: number;
  contentType: number;
  hashFunction: number;
  signedHashSets: Array<{
    hashes: string[]; // hex
    signatures: Array<{ keyId: string | null; algorithm: number; signature: string /* hex */ }>;
  }>;
  location: SourceLocation;
  /** Set when the section exists but cannot be parsed; the rest is then empty. */
  error?: string;
}

export interface ProducersFact {
  /** field name (language, processed-by, sdk) → list of { name, version }. */
  fields: Record<string, Array<{ name: string; version: string }>>;
}

/** Proposal names, the same spelling wabt's `--enable-*` flags use. */
export type Proposal =
  | 'threads'
  | 'simd'
  | 'relaxed-simd'
  | 'exceptions'
  | 'exnref'
  | 'memory64'
  | 'multi-memory'
  | 'gc'
  | 'reference-types'
  | 'function-references'
  | 'tail-call'
  | 'bulk-memory'
  | 'sign-extension'
  | 'saturating-float-to-int'
  | 'multi-value'
  | 'mutable-globals'
  | 'extended-const'
  | 'custom-page-sizes'
  | 'wide-arithmetic'
  | 'stack-switching';

/** What a component import or export is: a core module, function, value, type, component or instance. */
export type ComponentExternKind = 'module' | 'func' | 'value' | 'type' | 'component' | 'instance';

export interface ComponentFacts {
  imports: Array<{ name: string; location: SourceLocation; kind?: ComponentExternKind }>;
  exports: Array<{ name: string; location: SourceLocation; kind?: ComponentExternKind }>;
  /** The world the component targets: its typed imports and exports (binary only). */
  world?: WorldFacts;
  /** The world and the interfaces it names, as WIT text. */
  wit?: string;
  /** For every function import of a nested core module: what satisfies it. */
  coreImports?: CoreImportLinkFact[];
  /** Component-model features a runtime may lack (async, error-context, fixed-size lists…), where first used. */
  features?: Array<{ feature: string; location: SourceLocation }>;
}

/** A function of a world item, as WIT writes it (`[method]descriptor.read`, types as WIT text). */
export interface WorldFunctionFact {
  name: string;
  params: Array<{ name: string; type: string }>;
  results: string[];
  async?: boolean;
}

export interface WorldItemFact {
  /** `ns:pkg/iface@version` for interfaces, else the plain name. */
  name: string;
  kind: ComponentExternKind;
  functions: WorldFunctionFact[];
  /** Names of the types the item declares. */
  types?: string[];
}

export interface WorldFacts {
  imports: WorldItemFact[];
  exports: WorldItemFact[];
}

/** What satisfies one import of a nested core module. */
export interface CoreImportLinkFact {
  /** Index of the core module in the component's `modules`. */
  module: number;
  importModule: string;
  importName: string;
  source:
    | { kind: 'lowered'; import?: string; function: string }
    | { kind: 'builtin'; builtin: string; resource?: string }
    | { kind: 'core-export'; module: number; name: string }
    | { kind: 'unknown' };
}

/** One section of a binary, in file order (binary only). */
export interface SectionFact {
  /** Section id (0 = custom). In components the ids are the component model's. */
  id: number;
  /** `type`, `import`, ... or the custom section's own name. */
  name: string;
  /** Offset of the section id byte, and the size of the whole section including its header. */
  offset: number;
  size: number;
  /** Where the section's payload starts (after the name, for custom sections). */
  payloadOffset: number;
}

export interface ModuleFacts {
  kind: 'module' | 'component';
  source: 'binary' | 'text';
  /** For text: the `$id` of the module, if any. */
  id?: string;
  /** Where the module starts: the `(module` keyword in text, offset 0 in binary. */
  location: SourceLocation;
  imports: ImportFact[];
  exports: ExportFact[];
  memories: MemoryFact[];
  tables: TableFact[];
  globals: GlobalFact[];
  functions: FunctionFact[];
  start: StartFact | null;
  /**
   * Binaries build these on first read, from a table that `check` reads instead
   * (module/lazyDataSegments.ts). Copy facts with `copyFacts`: a spread reads this property.
   */
  dataSegments: DataSegmentFact[];
  elementSegments: ElementSegmentFact[];
  customSections: CustomSectionFact[];
  signature: SignatureSectionFact | null;
  producers: ProducersFact | null;
  /** The name section's function names, by function index. */
  functionNames: Record<number, string>;
  /** Number of functions the module defines (with bodies); imported functions are not counted. */
  functionCount: number;
  /** Total size in bytes of the code section (0 for text before compilation). */
  codeSize: number;
  proposals: Proposal[];
  /** For components: their own imports/exports, and the core modules nested inside. */
  components?: ComponentFacts;
  /** For components: the core modules and components nested directly inside, in file order. */
  modules?: ModuleFacts[];
  /** Binary only: every section in file order. */
  sections?: SectionFact[];
  /** Malformed / invalid / unsupported-by-engine problems found while reading. */
  problems: Finding[];
}

/** A module with nothing read yet; the binary and text readers fill it in. */
export function emptyModuleFacts(
  kind: ModuleFacts['kind'],
  source: ModuleFacts['source'],
  location: SourceLocation,
): ModuleFacts {
  return {
    kind,
    source,
    location,
    imports: [],
    exports: [],
    memories: [],
    tables: [],
    globals: [],
    functions: [],
    start: null,
    dataSegments: [],
    elementSegments: [],
    customSections: [],
    signature: null,
    producers: null,
    functionNames: {},
    functionCount: 0,
    codeSize: 0,
    proposals: [],
    problems: [],
  };
}
