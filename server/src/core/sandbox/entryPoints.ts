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
  /** A component: run through the WASI 0.2 host (`wasi:cli/run` or `wasi:http/incoming-handler`). */
  component?: boolean;
}

export function entryPoints(bytes: Uint8Array): EntryPoints {
  const facts = readBinaryModule(bytes);
  // A component runs its `wasi:cli/run` or handles HTTP requests: like a WASI command, it takes arguments.
  if (facts.kind !== 'module') return { wasiStart: true, functions: [], component: true };
  const functions: RunnableFunction[] = [];
  for (const fn of facts.functions) {
    for (const name of fn.exportedAs)
      functions.push({ name, params: fn.signature?.params ?? [], results: fn.signature?.results ?? [] });
  }
  functions.sort((a, b) => a.name.localeCompare(b.name));
  const error = facts.problems.find((p) => p.severity === 'error');
  return { wasiStart: functions.some((f) => f.name === '_start'), functions, problem: error?.message };
}
