/**
 * What the fuzzing harness feeds its inputs to, each with its oracle. A target returns normally
 * when the input was handled, and throws `OracleFailure` (or anything else: an escaped exception)
 * when it was not. Run inside a worker (test/fuzz/worker.ts) so a hang can be detected and killed.
 */
import * as path from 'node:path';
import { analyzeModule } from '../../server/src/core/analyze';
import { disassemble } from '../../server/src/core/disasm/disassemble';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { loadPublicKey } from '../../server/src/core/signing/keys';
import { verifyModuleSignatures } from '../../server/src/core/signing/verify';
import { compileWat } from '../../server/src/core/wat/compile';
import { readWatModules } from '../../server/src/core/wat/reader';
import type { PolicyFileSystem } from '../../server/src/core/policy/fileSystem';
import { wasm, type WasmDescriptor } from '../../server/src/core/sandbox/wasmApi';
import {
  instrumentModule,
  METER_MODULE,
  PROFILE_EXPORT_PREFIX,
} from '../../server/src/core/metering/instrument';

export class OracleFailure extends Error {}

export type TargetName =
  'facts' | 'rules' | 'wat-reader' | 'wat-compile' | 'disassembler' | 'signature' | 'policy' | 'metering';

export const ALL_TARGETS: TargetName[] = [
  'facts',
  'rules',
  'wat-reader',
  'wat-compile',
  'disassembler',
  'signature',
  'policy',
  'metering',
];

/** What each target eats. */
export const INPUT_KIND: Record<TargetName, 'wasm' | 'wat' | 'signed' | 'policy'> = {
  facts: 'wasm',
  rules: 'wasm',
  'wat-reader': 'wat',
  'wat-compile': 'wat',
  disassembler: 'wasm',
  signature: 'signed',
  policy: 'policy',
  metering: 'wasm',
};

export interface SignedInput {
  bytes: Uint8Array;
  /** The content the original's valid signature covers. */
  covered: Uint8Array;
  keys: Uint8Array[];
}

const policyFs = (text: string): PolicyFileSystem => ({
  readFile: (file) => (file === '/ws/wasm-policy.json' ? text : undefined),
  stat: (file) => (file === '/ws/wasm-policy.json' ? 'file' : file === '/ws' ? 'directory' : undefined),
});

/** The strict-enough policy every module is checked against in `rules`. */
function strictPolicy() {
  return new PolicyResolver(policyFs('{ "imports": { "otherwise": "deny" } }'), { roots: ['/ws'] }).resolve(
    '/ws/m.wasm',
  );
}

/** V8 must agree with our reader on the imports and exports of every module it accepts. */
function agreeWithV8(bytes: Uint8Array): void {
  const facts = readBinaryModule(bytes);
  let module: object;
  try {
    module = new wasm.Module(bytes);
  } catch {
    return;
  }
  if (facts.kind !== 'module')
    throw new OracleFailure(`V8 accepts as a core module what we read as a ${facts.kind}`);
  const kind = (k: string) => (k === 'function' ? 'func' : k);
  const v8Imports = wasm.Module.imports(module).map((i) => `${i.module}\u0000${i.name}\u0000${kind(i.kind)}`);
  const ours = facts.imports.map((i) => `${i.module}\u0000${i.name}\u0000${i.kind}`);
  if (JSON.stringify(v8Imports) !== JSON.stringify(ours))
    throw new OracleFailure(
      `imports differ from V8's: ${JSON.stringify(ours)} vs ${JSON.stringify(v8Imports)}`,
    );
  const v8Exports = wasm.Module.exports(module).map((e) => `${e.name}\u0000${kind(e.kind)}`);
  const ourExports = facts.exports.map((e) => `${e.name}\u0000${e.kind}`);
  if (JSON.stringify(v8Exports) !== JSON.stringify(ourExports))
    throw new OracleFailure(
      `exports differ from V8's: ${JSON.stringify(ourExports)} vs ${JSON.stringify(v8Exports)}`,
    );
}

/**
 * The fuel meter's rewriter, in both countings, with and without a profile: it never throws, and
 * a module V8 accepts is either refused with a reason or rewritten into one V8 accepts, with the
 * original's exports and imports plus only the meter's own.
 */
function meterAgreesWithV8(bytes: Uint8Array): void {
  let original: object | undefined;
  try {
    original = new wasm.Module(bytes);
  } catch {
    original = undefined;
  }
  const names = (list: WasmDescriptor[]): string =>
    JSON.stringify(list.map((e) => `${e.module ?? ''}\u0000${e.name}\u0000${e.kind}`));
  for (const counting of ['exact', 'bound'] as const)
    for (const profile of [false, true]) {
      const result = instrumentModule(bytes, { counting, profile });
      if (!result.ok || !original) continue;
      const mode = `${counting}${profile ? ' with a profile' : ''}`;
      let metered: object;
      try {
        metered = new wasm.Module(result.bytes);
      } catch (error) {
        throw new OracleFailure(`the metered module (${mode}) is invalid: ${(error as Error).message}`);
      }
      const imports = wasm.Module.imports(metered).filter((i) => i.module !== METER_MODULE);
      const exports = wasm.Module.exports(metered).filter((e) => !e.name.startsWith(PROFILE_EXPORT_PREFIX));
      if (names(imports) !== names(wasm.Module.imports(original)))
        throw new OracleFailure(`the metered module (${mode}) has other imports than the original`);
      if (names(exports) !== names(wasm.Module.exports(original)))
        throw new OracleFailure(`the metered module (${mode}) has other exports than the original`);
      // Each export still names the same entity: the meter's imports shift defined functions by
      // one and defined globals by two.
      const before = readBinaryModule(bytes);
      const after = readBinaryModule(result.bytes);
      const importedFunctions = before.functions.filter((f) => f.imported).length;
      const importedGlobals = before.globals.filter((g) => g.imported).length;
      before.exports.forEach((e, i) => {
        const shift =
          e.kind === 'func' && e.index >= importedFunctions
            ? 1
            : e.kind === 'global' && e.index >= importedGlobals
              ? 2
              : 0;
        if (after.exports[i]?.index !== e.index + shift)
          throw new OracleFailure(`the metered module (${mode}) exports "${e.name}" as another ${e.kind}`);
      });
    }
}

export async function runTarget(target: TargetName, input: unknown): Promise<void> {
  switch (target) {
    case 'metering':
      return meterAgreesWithV8(input as Uint8Array);
    case 'facts':
      return agreeWithV8(input as Uint8Array);
    case 'rules': {
      await analyzeModule({
        fileName: path.join('/ws', 'm.wasm'),
        bytes: input as Uint8Array,
        policy: strictPolicy(),
      });
      return;
    }
    case 'wat-reader':
      readWatModules(input as string);
      return;
    case 'wat-compile':
      await compileWat(input as string, 'fuzz.wat');
      return;
    case 'disassembler':
      disassemble(input as Uint8Array);
      return;
    case 'signature': {
      const { bytes, covered, keys } = input as SignedInput;
      const publicKeys = keys.map((k) => loadPublicKey(k)).flatMap((r) => (r.ok ? [r.key] : []));
      const report = verifyModuleSignatures(bytes, { publicKeys });
      if (report.status === 'valid') {
        const content = Buffer.from(bytes.subarray(report.content.start, report.content.end));
        // A cut at a delimiter is a signed module in its own right: every rolling hash is signed
        // (as wasmsign2 verifies too). Anything else that verifies was changed.
        const signedPrefix =
          content.length < covered.length && Buffer.from(covered).subarray(0, content.length).equals(content);
        if (!content.equals(Buffer.from(covered)) && !signedPrefix)
          throw new OracleFailure('a module whose signed content was changed still verifies');
      }
      return;
    }
    case 'policy': {
      const resolver = new PolicyResolver(policyFs(input as string), { roots: ['/ws'], knownRules: [] });
      const policy = resolver.resolve('/ws/plugins/m.wasm');
      const broken = resolver.problemsOf('/ws/wasm-policy.json').some((p) => p.severity === 'error');
      if (broken && policy.source.kind !== 'strict-fallback')
        throw new OracleFailure('a policy with errors did not fail closed');
      for (const [module, name] of [
        ['wasi_snapshot_preview1', 'fd_write'],
        ['env', `${'a'.repeat(3_000)}c`],
        ['wasi:filesystem/types@0.2.0', 'read'],
        ['', 'wasi:http/types@0.2.0'],
      ] as const) {
        const verdict = policy.checkImport(module, name);
        if (policy.source.kind === 'strict-fallback' && verdict.decision !== 'deny')
          throw new OracleFailure(`the strict fallback let ${module}.${name} through`);
      }
      return;
    }
  }
}
