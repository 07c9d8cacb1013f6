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
import { wasm } from '../../server/src/core/sandbox/wasmApi';

export class OracleFailure extends Error {}

export type TargetName =
  'facts' | 'rules' | 'wat-reader' | 'wat-compile' | 'disassembler' | 'signature' | 'policy';

export const ALL_TARGETS: TargetName[] = [
  'facts',
  'rules',
  'wat-reader',
  'wat-compile',
  'disassembler',
  'signature',
  'policy',
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

export async function runTarget(target: TargetName, input: unknown): Promise<void> {
  switch (target) {
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
