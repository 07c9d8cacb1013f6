/**
 * Module facts for policy generation from files on disk: `.wasm` read as it is, `.wat` compiled
 * first (the sandbox's loader, one place for wabt), then the one binary reader. Shared by the CLI
 * (`policy init`) and the server ("Create Policy from Module").
 */
import * as path from 'node:path';
import { readBinaryModule } from '../module/binary';
import type { ModuleFacts } from '../module/model';
import { readModuleBytes } from '../wat/moduleBytes';
import { neverCalledImports, reachabilityOf } from '../reach/summary';
import { generatePolicy, type GenerationInput } from './generate';
import { POLICY_FILE_NAME } from './resolver';

export type ModuleRead =
  { file: string; facts: ModuleFacts; neverCalled?: string[] } | { file: string; error: string };

export async function readModuleForPolicy(file: string): Promise<ModuleRead> {
  const bytes = await readModuleBytes(file);
  if ('error' in bytes) return { file, error: bytes.error };
  const facts = readBinaryModule(bytes);
  const fatal = facts.problems.find((p) => p.severity === 'error' && p.ruleId === 'invalid-module');
  if (fatal && facts.imports.length === 0 && facts.memories.length === 0)
    return { file, error: `${file}: ${fatal.message}` };
  if (fatal) return { file, facts };
  const reach = reachabilityOf(facts, bytes);
  return { file, facts, ...(reach ? { neverCalled: neverCalledImports(facts, reach) } : {}) };
}

/** The folder all files share: where their policy goes. */
export function commonFolder(files: string[]): string {
  const dirs = files.map((f) => path.dirname(path.resolve(f)).split(path.sep));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
  return common.join(path.sep) || path.sep;
}

export interface GeneratedPolicy {
  /** Where the policy belongs: wasm-policy.json in the modules' common folder. */
  policyPath: string;
  text: string;
}

/** The modules read for a policy, and where their policy belongs; an unreadable module is an error value. */
export async function readPolicyInputs(
  files: string[],
): Promise<{ policyPath: string; inputs: GenerationInput[] } | { error: string }> {
  if (files.length === 0) return { error: 'no modules given' };
  const reads = await Promise.all(files.map((f) => readModuleForPolicy(path.resolve(f))));
  const failed = reads.filter((r): r is { file: string; error: string } => 'error' in r);
  if (failed.length) return { error: failed.map((f) => f.error).join('\n') };
  const folder = commonFolder(files);
  const inputs: GenerationInput[] = reads.map((r) => {
    const { facts, neverCalled } = r as { facts: ModuleFacts; neverCalled?: string[] };
    return { name: path.relative(folder, r.file).split(path.sep).join('/'), facts, neverCalled };
  });
  return { policyPath: path.join(folder, POLICY_FILE_NAME), inputs };
}

/** Reads the modules and writes their least-privilege policy text; an unreadable module is an error value. */
export async function generatePolicyForFiles(files: string[]): Promise<GeneratedPolicy | { error: string }> {
  const read = await readPolicyInputs(files);
  if ('error' in read) return read;
  return { policyPath: read.policyPath, text: generatePolicy(read.inputs) };
}
