/**
 * `wasm-warden policy`: write a least-privilege policy for modules (`init`), check a policy file
 * (`check`), and show which policy governs a module and how it decides its imports (`show`).
 * Policies resolve exactly as in the editor (nearest wasm-policy.json up to the current folder).
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo } from '../command';
import type { Finding } from '../../core/findings';
import { nodeFileSystem } from '../../core/policy/fileSystem';
import { hostImportsOf } from '../../core/policy/generate';
import { generatePolicyForFiles, readModuleForPolicy } from '../../core/policy/moduleInputs';
import { POLICY_FILE_NAME, PolicyResolver } from '../../core/policy/resolver';
import { formatBytes } from '../../core/policy/sizes';
import { ruleIds } from '../../core/rules/registry';

const HELP = `Usage: wasm-warden policy <init|check|show> [options]

  policy init FILE... [-o OUT] [--force]
      Writes the least-privilege policy for the modules (.wasm or .wat): allows exactly the
      imports they use, memory limits at what they declare, a comment naming the capability of
      each import. Imports no code calls (declared but never called) are written commented out,
      not granted. OUT defaults to wasm-policy.json in the modules' common folder; "-o -" prints
      it. An existing file is kept unless --force.

  policy check [POLICY] [--json]
      Checks a policy file (default ./wasm-policy.json) and everything it extends: syntax,
      unknown keys, types, sizes, WASI names, patterns, key files. Prints FILE:LINE:COL problems.

  policy show MODULE [--policy POLICY] [--json]
      Shows the policy that governs MODULE (the nearest wasm-policy.json from its folder up to
      the current folder, the built-in default, or POLICY), its memory limits, and the verdict on
      each of the module's imports with the policy line that decided it.

Exit codes: 0 ok; 1 the policy has errors (check) or denies an import (show); 2 usage or I/O error.
`;

/** The resolver the CLI uses everywhere: discovery up to the current folder, or a forced file. */
export function createCliPolicyResolver(cwd: string, policyPath?: string): PolicyResolver {
  return new PolicyResolver(nodeFileSystem, {
    roots: [cwd],
    forcedPath: policyPath === undefined ? undefined : path.resolve(cwd, policyPath),
    knownRules: ruleIds(),
  });
}

function formatProblem(file: string, cwd: string, finding: Finding): string {
  const at =
    finding.location.kind === 'text'
      ? `${finding.location.start.line + 1}:${finding.location.start.character + 1}`
      : '1:1';
  return `${path.relative(cwd, file) || file}:${at} ${finding.severity} ${finding.message}`;
}

async function init(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new UsageError('give the modules to write a policy for');
  const generated = await generatePolicyForFiles(positionals.map((f) => path.resolve(io.cwd, f)));
  if ('error' in generated) {
    io.stderr(`wasm-warden policy init: ${generated.error}\n`);
    return 2;
  }
  if (values.output === '-') {
    io.stdout(generated.text);
    return 0;
  }
  const out = values.output === undefined ? generated.policyPath : path.resolve(io.cwd, values.output);
  if (existsSync(out) && !values.force) {
    io.stderr(
      `wasm-warden policy init: ${out} exists; use --force to replace it, or -o to write elsewhere.\n`,
    );
    return 2;
  }
  try {
    writeFileSync(out, generated.text);
  } catch (error) {
    io.stderr(`wasm-warden policy init: cannot write ${out}: ${(error as Error).message}\n`);
    return 2;
  }
  io.stdout(`Wrote ${path.relative(io.cwd, out) || out}\n`);
  return 0;
}

function check(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  if (positionals.length > 1) throw new UsageError('give one policy file');
  const file = path.resolve(io.cwd, positionals[0] ?? POLICY_FILE_NAME);
  const resolver = createCliPolicyResolver(io.cwd);
  if (!resolver.load(file)) {
    io.stderr(`wasm-warden policy check: cannot read ${file}\n`);
    return 2;
  }
  const chain = resolver.chain(file);
  const byFile = chain.files.map((f) => ({
    file: f.path,
    problems: f.path === file ? resolver.problemsOf(file) : f.problems,
  }));
  const errors = byFile.flatMap((f) => f.problems).filter((p) => p.severity === 'error').length;
  if (values.json) {
    io.stdout(`${JSON.stringify({ valid: errors === 0, files: byFile }, null, 2)}\n`);
  } else {
    for (const { file: f, problems } of byFile)
      for (const p of problems) io.stdout(`${formatProblem(f, io.cwd, p)}\n`);
    const total = byFile.reduce((n, f) => n + f.problems.length, 0);
    io.stdout(
      errors
        ? `${errors} error(s): modules under this policy are checked against the strict built-in policy.\n`
        : `${total ? `${total} warning(s), ` : ''}policy OK.\n`,
    );
  }
  return errors ? 1 : 0;
}

async function show(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { policy: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('give one module');
  const modulePath = path.resolve(io.cwd, positionals[0]);
  const read = await readModuleForPolicy(modulePath);
  if ('error' in read) {
    io.stderr(`wasm-warden policy show: ${read.error}\n`);
    return 2;
  }
  const policy = createCliPolicyResolver(io.cwd, values.policy).resolve(modulePath);
  const imports = hostImportsOf(read.facts).map((i) => ({
    module: i.module,
    name: i.name,
    ...policy.checkImport(i.module, i.name),
  }));
  const source =
    policy.source.kind === 'file'
      ? policy.source.path
      : policy.source.kind === 'default'
        ? 'none found: the built-in default policy (imports allowed)'
        : `BROKEN ${policy.source.brokenPath}: the strict built-in policy`;
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ source: policy.source, files: policy.files, memory: policy.memory, imports, problem: policy.moduleProblem }, null, 2)}\n`,
    );
  } else {
    const lines = [`Policy: ${source}`];
    if (policy.moduleProblem) lines.push(`  ${policy.moduleProblem.message}`);
    const m = policy.memory;
    lines.push(
      `Memory: max ${m.maxPages === undefined ? 'unlimited' : `${m.maxPages} pages (${formatBytes(m.maxPages * 65536)})`}, maximum ${m.requireMaximum ? 'required' : 'optional'}, shared ${m.allowShared ? 'allowed' : 'denied'}, memory64 ${m.allowMemory64 ? 'allowed' : 'denied'}, imported ${m.allowImported ? 'allowed' : 'denied'}`,
    );
    lines.push(`Imports (${imports.length}):`);
    for (const i of imports)
      lines.push(
        `  ${i.decision.padEnd(5)} ${i.name ? `${i.module}.${i.name}` : i.module}${i.capability ? ` [${i.capability}]` : ''}: ${i.reason}`,
      );
    io.stdout(`${lines.join('\n')}\n`);
  }
  return policy.moduleProblem || imports.some((i) => i.decision === 'deny') ? 1 : 0;
}

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'write (init), check or show wasm-policy.json policies',
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'init') return await init(rest, io);
      if (sub === 'check') return check(rest, io);
      if (sub === 'show') return await show(rest, io);
    } catch (error) {
      // node:util parseArgs reports unknown options with a code; they are usage errors.
      if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
        throw new UsageError((error as Error).message);
      throw error;
    }
    throw new UsageError(
      sub === undefined ? 'give a sub-command: init, check or show' : `unknown sub-command "${sub}"`,
    );
  },
};
