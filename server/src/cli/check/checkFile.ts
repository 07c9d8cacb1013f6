/**
 * Checks one module file for `wasm-warden check`: reads it once, resolves its policy exactly as
 * the editor does, and runs the shared pipeline. Never throws: an unreadable or vanished file
 * becomes a report with an error.
 */
import { promises as fsp } from 'node:fs';
import { analyzeModule } from '../../core/analyze';
import type { RuleSetting } from '../../core/policy/types';
import { nodeFileSystem } from '../../core/policy/fileSystem';
import { PolicyResolver } from '../../core/policy/resolver';
import type { Baseline } from '../../core/diff/surface';
import { ruleIds } from '../../core/rules/registry';
import { loadBaseline, type BaselineSource } from './baseline';
import type { FileReport } from './report';
import { textTooLarge } from '../textLimit';

export interface CheckOptions {
  /** Discovery of policies stops here (the folder `check` was run from). */
  root: string;
  /** `--policy FILE`: one policy for every module. */
  policyPath?: string;
  /** `--rule ID=SEVERITY`, beating the policy's `rules`. */
  ruleOverrides: Record<string, RuleSetting>;
  /** `--baseline` / `--baseline-git`: the versions `capability-change` compares with. */
  baseline?: BaselineSource;
}

/** One resolver per thread: policy files are read once and shared by every module they govern. */
let resolver: PolicyResolver | undefined;
let resolverKey = '';

function resolverFor(options: CheckOptions): PolicyResolver {
  const key = `${options.root}\0${options.policyPath ?? ''}`;
  if (!resolver || key !== resolverKey) {
    resolver = new PolicyResolver(nodeFileSystem, {
      roots: [options.root],
      forcedPath: options.policyPath,
      knownRules: ruleIds(),
    });
    resolverKey = key;
  }
  return resolver;
}

async function readOptional(file: string): Promise<Uint8Array | undefined> {
  try {
    return await fsp.readFile(file);
  } catch {
    return undefined;
  }
}

export async function checkFile(file: string, options: CheckOptions): Promise<FileReport> {
  const policy = resolverFor(options).resolve(file);
  const policyPath =
    policy.source.kind === 'file'
      ? policy.source.path
      : policy.source.kind === 'strict-fallback'
        ? policy.source.brokenPath
        : undefined;
  const isText = /\.wat$/i.test(file);
  const tooLarge = isText ? await textTooLarge(file) : undefined;
  if (tooLarge) return { path: file, findings: [], policyPath, error: tooLarge };
  let contents: Buffer;
  try {
    contents = await fsp.readFile(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason =
      e.code === 'ENOENT'
        ? 'the file vanished before it could be read'
        : e.code === 'EACCES'
          ? 'permission denied'
          : e.message;
    return { path: file, findings: [], policyPath, error: reason };
  }
  let baseline: Baseline | undefined;
  if (options.baseline && !isText) {
    try {
      baseline = await loadBaseline(file, options.baseline, options.root, policy);
    } catch (error) {
      return {
        path: file,
        findings: [],
        policyPath,
        error: `cannot read the baseline: ${(error as Error).message}`,
      };
    }
  }
  try {
    const analysis = await analyzeModule({
      fileName: file,
      ...(isText
        ? { text: contents.toString('utf8') }
        : { bytes: new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength) }),
      policy,
      detachedSignature: isText ? undefined : await readOptional(`${file}.sig`),
      ruleOverrides: options.ruleOverrides,
      baseline,
    });
    return {
      path: file,
      findings: analysis.findings,
      policyPath,
      ...(policy.source.kind === 'strict-fallback' ? { policyBroken: policy.source.brokenPath } : {}),
    };
  } catch (error) {
    return { path: file, findings: [], policyPath, error: `internal error: ${(error as Error).message}` };
  }
}
