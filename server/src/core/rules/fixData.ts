/**
 * What each rule puts in a finding's `data` for quick fixes and tooling (it travels to the editor
 * as a diagnostic's `data` and back in a code-action request). One type per rule, so the rule that
 * writes it and the quick fix that reads it agree at compile time.
 */

import type { ImportReach } from './support/importReach';

type ImportReachData = NonNullable<ImportReach['data']>;

/** `disallowed-import` and `dangerous-import`: the import (a component's interface has no name). */
export interface ImportFixData {
  module: string;
  name: string;
  kind: string;
  capability?: string | null;
  decision?: 'deny' | 'warn' | 'allow';
  /** What reaches the import (the call graph's entry points and one path), or that nothing calls it. */
  reach?: ImportReachData;
}

/** `memory-limit`: which memory, what the policy allows, and what is wrong with it. */
export interface MemoryLimitFixData {
  memoryIndex: number;
  limitPages: number | null;
  limitBytes: number | null;
  pageSize: number;
  problem: 'initial' | 'maximum' | 'noMaximum' | 'shared' | 'memory64' | 'imported';
  pages?: number;
}

/** `missing-signature`, `invalid-signature`, `untrusted-signature`. */
export interface SignatureFixData {
  problem: string;
  keyId?: string | null;
  code?: string | null;
  /** `partial`: where the signed part ends. */
  signedEnd?: number;
}

/** `debug-info`: which custom sections (or data block) carry the information. */
export interface DebugInfoFixData {
  sections?: string[];
  bytes?: number;
  url?: string | null;
  block?: string;
}

/** `suspicious-data`: what was found in which block, and the endpoint when it is one. */
export interface SuspiciousDataFixData {
  kind: string;
  block: string;
  host?: string;
  port?: string | null;
}

/** `table-exposure`: the table and how code outside the module can reach it. */
export interface TableExposureFixData {
  tableIndex: number;
  imported: boolean;
  exportedAs: string[];
  indirectCalls: number | null;
}

export interface FixDataByRule {
  'disallowed-import': ImportFixData;
  'dangerous-import': ImportFixData;
  'memory-limit': MemoryLimitFixData;
  'missing-signature': SignatureFixData;
  'invalid-signature': SignatureFixData;
  'untrusted-signature': SignatureFixData;
  'debug-info': DebugInfoFixData;
  'start-function': { funcIndex: number };
  'suspicious-data': SuspiciousDataFixData;
  'table-exposure': TableExposureFixData;
  'unsupported-feature': { proposal: string; target: 'runtime' | 'sandbox' };
  cryptominer: { functions: Record<string, number[]> };
}

/**
 * A finding's fix data, typed by its rule. `data` is what the server itself wrote for `ruleId`
 * (diagnostics carry it unchanged), so the rule id is the check.
 */
export function fixDataOf<R extends keyof FixDataByRule>(
  expected: R,
  ruleId: string | number | undefined,
  data: unknown,
): FixDataByRule[R] | undefined {
  if (ruleId !== expected || typeof data !== 'object' || data === null) return undefined;
  return data as FixDataByRule[R];
}
