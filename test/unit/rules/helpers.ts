/** Shared helpers for the rule tests: policies from JSON, WAT compiled with wabt, findings in short form. */
import * as path from 'node:path';
import { analyzeModule, type ModuleAnalysis } from '../../../server/src/core/analyze';
import type { Finding } from '../../../server/src/core/findings';
import type { SourceLocation } from '../../../server/src/core/location';
import { loadWabt, WABT_FEATURES } from '../../../server/src/core/wat/compile';
import { PolicyResolver } from '../../../server/src/core/policy/resolver';
import type { EffectivePolicy, RuleSetting } from '../../../server/src/core/policy/types';
import { MemoryFileSystem } from '../policyMemoryFs';

export const POLICY_DIR = path.resolve('/virtual/project');
export const POLICY_PATH = path.join(POLICY_DIR, 'wasm-policy.json');
export const MODULE_PATH = path.join(POLICY_DIR, 'module.wasm');

/** The policy a module next to this `wasm-policy.json` gets (JSON object or raw text). */
export function policyFrom(policy: object | string): EffectivePolicy {
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
  const resolver = new PolicyResolver(new MemoryFileSystem({ [POLICY_PATH]: text }), { roots: [POLICY_DIR] });
  return resolver.resolve(MODULE_PATH);
}

/** The built-in default policy (no policy file anywhere). */
export function defaultPolicy(): EffectivePolicy {
  return new PolicyResolver(new MemoryFileSystem(), { roots: [POLICY_DIR] }).resolve(MODULE_PATH);
}

/** Compiles WAT to a binary with every feature wabt knows enabled. */
export async function wat2wasm(text: string): Promise<Uint8Array> {
  const wabt = await loadWabt();
  const module = wabt.parseWat('test.wat', text, WABT_FEATURES);
  try {
    module.resolveNames();
    module.validate();
    return Uint8Array.from(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}

export interface CheckOptions {
  policy?: EffectivePolicy;
  overrides?: Record<string, RuleSetting>;
  detachedSignature?: Uint8Array;
}

export async function checkBytes(bytes: Uint8Array, options: CheckOptions = {}): Promise<ModuleAnalysis> {
  return analyzeModule({
    fileName: MODULE_PATH,
    bytes,
    policy: options.policy ?? defaultPolicy(),
    ruleOverrides: options.overrides,
    detachedSignature: options.detachedSignature,
  });
}

export async function checkWat(text: string, options: CheckOptions = {}): Promise<ModuleAnalysis> {
  return checkBytes(await wat2wasm(text), options);
}

/** Checks WAT as a `.wat` document (text facts, text locations). */
export async function checkText(text: string, options: CheckOptions = {}): Promise<ModuleAnalysis> {
  return analyzeModule({
    fileName: MODULE_PATH.replace(/\.wasm$/, '.wat'),
    text,
    policy: options.policy ?? defaultPolicy(),
    ruleOverrides: options.overrides,
  });
}

/** Only the findings of one rule. */
export function ofRule(analysis: ModuleAnalysis, ruleId: string): Finding[] {
  return analysis.findings.filter((f) => f.ruleId === ruleId);
}

/** A byte span's [offset, length], or a text span's [line, char, line, char]. */
export function where(item: { location: SourceLocation }): number[] {
  const l = item.location;
  return l.kind === 'binary'
    ? [l.offset, l.length]
    : [l.start.line, l.start.character, l.end.line, l.end.character];
}
