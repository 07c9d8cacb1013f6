/**
 * What a user can run in a module: WASI `_start`, or one of its exported functions with the
 * parameter types to ask for. Read from the bytes (no code runs), for the editor's quick pick.
 */
import { readBinaryModule } from '../module/binary';

export interface RunnableFunction {
  name: string;
  params: string[];
  results: string[];
}

export interface EntryPoints {
  /** The module exports `_start` (a WASI command). */
  wasiStart: boolean;
  functions: RunnableFunction[];
  /** Set when the bytes are not a core module the sandbox can run. */
  problem?: string;
}

export function entryPoints(bytes: Uint8Array): EntryPoints {
  const facts = readBinaryModule(bytes);
  if (facts.kind !== 'module')
    return {
      wasiStart: false,
      functions: [],
      problem: 'components cannot run in the sandbox preview yet; only core modules',
    };
  const functions: RunnableFunction[] = [];
  for (const fn of facts.functions) {
    for (const name of fn.exportedAs)
      functions.push({ name, params: fn.signature?.params ?? [], results: fn.signature?.results ?? [] });
  }
  functions.sort((a, b) => a.name.localeCompare(b.name));
  const error = facts.problems.find((p) => p.severity === 'error');
  return { wasiStart: functions.some((f) => f.name === '_start'), functions, problem: error?.message };
}
