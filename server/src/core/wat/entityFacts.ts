/**
 * The facts of a module's functions, tables, memories and globals, imported or defined: built in one
 * place, so import fields, inline imports and definitions all give the facts a binary gives.
 */
import type { TextSpan } from '../location';
import type { FuncSignature, GlobalType, MemoryType, ModuleFacts, TableType } from '../module/model';
import { idName } from './literals';
import type { SAtom } from './sexpr';

/** A table, memory or global fact; `exportedAs` starts empty and is filled once exports are known. */
export function entityFact<T extends TableType | MemoryType | GlobalType>(
  type: T,
  index: number,
  imported: boolean,
  location: TextSpan,
) {
  return { ...type, index, imported, exportedAs: [] as string[], location };
}

/** Adds a function's fact, named after its `$id` when it has one. */
export function addFunction(
  facts: ModuleFacts,
  index: number,
  id: SAtom | undefined,
  signature: FuncSignature | null,
  imported: boolean,
  location: TextSpan,
): void {
  const fn: ModuleFacts['functions'][number] = {
    index,
    signature,
    imported,
    exportedAs: [],
    location,
  };
  if (id) {
    fn.name = idName(id.token.text);
    facts.functionNames[index] = fn.name;
  }
  facts.functions.push(fn);
}
