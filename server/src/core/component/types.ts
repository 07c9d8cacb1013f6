/**
 * Component-model types as the binary declares them: value types (records, variants, resources…),
 * function types and instance/component types with their declarations. Types refer to each other
 * by object, resolved from the index spaces while decoding, so a type keeps the WIT name it was
 * exported under wherever it is used. Types only refer to earlier ones: the graph has no cycles.
 */

export type PrimitiveName =
  | 'bool'
  | 's8'
  | 'u8'
  | 's16'
  | 'u16'
  | 's32'
  | 'u32'
  | 's64'
  | 'u64'
  | 'f32'
  | 'f64'
  | 'char'
  | 'string'
  | 'error-context';

export type ComponentType =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'record'; fields: Array<{ name: string; type: ComponentType }> }
  | { kind: 'variant'; cases: Array<{ name: string; type: ComponentType | null }> }
  | { kind: 'list'; element: ComponentType; length?: number }
  | { kind: 'tuple'; elements: ComponentType[] }
  | { kind: 'flags'; names: string[] }
  | { kind: 'enum'; names: string[] }
  | { kind: 'option'; element: ComponentType }
  | { kind: 'result'; ok: ComponentType | null; error: ComponentType | null }
  | { kind: 'own' | 'borrow'; resource: ComponentType }
  | { kind: 'stream' | 'future'; element: ComponentType | null }
  | { kind: 'resource'; name: string }
  | {
      kind: 'func';
      async: boolean;
      params: Array<{ name: string; type: ComponentType }>;
      results: ComponentType[];
    }
  | { kind: 'instance'; exports: DeclaredExtern[] }
  | { kind: 'component'; imports: DeclaredExtern[]; exports: DeclaredExtern[] }
  /** A type exported or imported under a name: `type x = …` in WIT, or the name of a record. */
  | { kind: 'named'; name: string; target: ComponentType }
  /** Core types and anything the decoder could not resolve (an index out of range, an outer alias). */
  | { kind: 'opaque'; what: string };

/** What an instance or component type declares it imports or exports. */
export interface DeclaredExtern {
  name: string;
  kind: 'module' | 'func' | 'value' | 'type' | 'component' | 'instance';
  type: ComponentType;
}

export const PRIMITIVES: Record<number, PrimitiveName> = {
  0x7f: 'bool',
  0x7e: 's8',
  0x7d: 'u8',
  0x7c: 's16',
  0x7b: 'u16',
  0x7a: 's32',
  0x79: 'u32',
  0x78: 's64',
  0x77: 'u64',
  0x76: 'f32',
  0x75: 'f64',
  0x74: 'char',
  0x73: 'string',
  0x64: 'error-context',
};

/** Follows `named` links to the structure underneath. */
export function underlying(type: ComponentType): ComponentType {
  let t = type;
  for (let i = 0; t.kind === 'named' && i < 1000; i++) t = t.target;
  return t;
}

export function opaque(what: string): ComponentType {
  return { kind: 'opaque', what };
}
