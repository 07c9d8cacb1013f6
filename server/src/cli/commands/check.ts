/**
 * `wasm-warden check [PATHS|GLOBS…]`: the editor's checks, for CI. Exit 0 clean, 1 errors (or
 * too many warnings), 2 usage, I/O or policy errors.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverModules } from '../../core/discover';
import type { RuleSetting } from '../../core/policy/types';
import { ruleDescriptors, ruleIds } from '../../core/rules/registry';
import type { BaselineSource } from '../check/baseline';
import { checkAll, isCheckWorker, runCheckWorker } from '../check/pool';
import { formatJson } from '../check/formatJson';
import { formatSarif } from '../check/formatSarif';
import { formatText } from '../check/formatText';
import { countFindings, type CheckReport } from '../check/report';
import { parseOptions, UsageError, type CliCommand, type CliIo } from '../command';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const SETTINGS: RuleSetting[] = ['error', 'warning', 'info', 'off'];

const HELP = `Usage: wasm-warden check [options] [PATHS|GLOBS...]

Checks .wasm and .wat modules against the wasm-policy.json that governs each (the nearest one in
its folder or above, as in the editor). Without paths, checks the current folder recursively,
skipping node_modules and what .gitignore ignores (unless a path names it).

Options:
  --format text|json|sarif  output format (default: text)
  -o, --output FILE         write the report to FILE instead of stdout
  --policy FILE             use this policy for every module instead of discovering one
  --rule ID=SEVERITY        set a rule to error, warning, info or off (repeatable; beats the policy)
  --max-warnings N          exit 1 when there are more than N warnings
  -q, --quiet               report errors only
  --threads N               worker threads (default: one per core)
  --baseline DIR_OR_FILE    compare each .wasm with its previous version: the same relative path
                            under DIR (or FILE itself); every capability gained is a
                            capability-change finding (default warning), even when allowed
  --baseline-git REF        the same, with the previous version read by "git show REF:path"
  -h, --help                show this help

Exit codes: 0 no errors, 1 errors or too many warnings, 2 usage, I/O or policy errors.
`;

interface CheckArgs {
  format: Format;
  output?: string;
  policy?: string;
  rules: Record<string, RuleSetting>;
  maxWarnings?: number;
  quiet: boolean;
  threads: number;
  operands: string[];
  baseline?: BaselineSource;
}

function parseCheckArgs(args: string[], cwd: string): CheckArgs {
  const { values, positionals } = parseOptions({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      output: { type: 'string', short: 'o' },
      policy: { type: 'string' },
      rule: { type: 'string', multiple: true, default: [] },
      'max-warnings': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      threads: { type: 'string' },
      baseline: { type: 'string' },
      'baseline-git': { type: 'string' },
    },
  });
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);

  const known = new Set(ruleIds());
  const rules: Record<string, RuleSetting> = {};
  for (const entry of values.rule ?? []) {
    const match = /^([a-z0-9-]+)=(\w+)$/.exec(entry);
    if (!match) throw new UsageError(`--rule takes ID=SEVERITY, got "${entry}"`);
    const [, id, setting] = match;
    if (!known.has(id)) throw new UsageError(`unknown rule "${id}"; rules: ${[...known].join(', ')}`);
    if (!SETTINGS.includes(setting as RuleSetting))
      throw new UsageError(`severity must be one of ${SETTINGS.join(', ')}, not "${setting}"`);
    rules[id] = setting as RuleSetting;
  }

  const wholeNumber = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, got "${text}"`);
    return Number(text);
  };
  const threads = wholeNumber('--threads', values.threads) ?? Math.max(1, os.availableParallelism());
  if (threads < 1) throw new UsageError('--threads must be at least 1');

  return {
    format,
    output: values.output ? path.resolve(cwd, values.output) : undefined,
    policy: values.policy ? path.resolve(cwd, values.policy) : undefined,
    rules,
    maxWarnings: wholeNumber('--max-warnings', values['max-warnings']),
    quiet: values.quiet ?? false,
    threads,
    operands: positionals,
    baseline: baselineOption(values.baseline, values['baseline-git'], cwd),
  };
}

function baselineOption(
  folderOrFile: string | undefined,
  ref: string | undefined,
  cwd: string,
): BaselineSource | undefined {
  if (folderOrFile !== undefined && ref !== undefined)
    throw new UsageError('give --baseline or --baseline-git, not both');
  if (folderOrFile !== undefined) {
    const resolved = path.resolve(cwd, folderOrFile);
    if (!existsSync(resolved)) throw new UsageError(`--baseline: ${folderOrFile} does not exist`);
    return { kind: 'path', path: resolved };
  }
  if (ref !== undefined) {
    if (ref.startsWith('-')) throw new UsageError(`--baseline-git takes a git revision, not "${ref}"`);
    try {
      execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, stdio: 'ignore' });
    } catch {
      throw new UsageError(`--baseline-git: "${ref}" is not a commit in a git repository here`);
    }
    return { kind: 'git', ref };
  }
  return undefined;
}

/** The script workers start: this command's own bundle (see pool.ts), when we run from it. */
function workerScript(): string | undefined {
  return path.basename(__filename) === CHECK_BUNDLE ? __filename : undefined;
}

/** The bundle scripts/build.mjs makes of this file. */
const CHECK_BUNDLE = 'cli-check.js';

// Loaded in one of the workers started above: serve check jobs instead.
if (isCheckWorker()) runCheckWorker();

export function exitCodeOf(report: CheckReport, maxWarnings: number | undefined): number {
  const counts = countFindings(report);
  if (report.problems.length > 0 || counts.unreadable > 0 || report.files.some((f) => f.policyBroken))
    return 2;
  if (counts.errors > 0) return 1;
  if (maxWarnings !== undefined && counts.warnings > maxWarnings) return 1;
  return 0;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseCheckArgs(args, io.cwd);
  const discovery = discoverModules(options.operands, io.cwd);
  const progress = io.isTty && process.stderr.isTTY && options.output === undefined ? io.stderr : undefined;

  const files = await checkAll(
    discovery.files,
    { root: io.cwd, policyPath: options.policy, ruleOverrides: options.rules, baseline: options.baseline },
    options.threads,
    workerScript(),
    (_report, done) => progress?.(`\r\u001b[2Kchecking ${done}/${discovery.files.length}`),
  );
  progress?.('\r\u001b[2K');

  const report: CheckReport = { cwd: io.cwd, files, problems: discovery.problems };
  if (options.quiet) {
    for (const file of report.files) file.findings = file.findings.filter((f) => f.severity === 'error');
  }
  if (report.files.length === 0 && report.problems.length === 0) {
    report.problems.push({
      path: options.operands.join(' ') || '.',
      message: 'no .wasm or .wat files found',
    });
  }

  const text =
    options.format === 'json'
      ? formatJson(report)
      : options.format === 'sarif'
        ? formatSarif(report, ruleDescriptors())
        : formatText(report, { colour: io.isTty && !options.output && !process.env.NO_COLOR });
  if (options.output) {
    try {
      writeFileSync(options.output, text);
    } catch (error) {
      io.stderr(`wasm-warden check: cannot write ${options.output}: ${(error as Error).message}\n`);
      return 2;
    }
  } else {
    io.stdout(text);
  }
  return exitCodeOf(report, options.maxWarnings);
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check modules against their policies (text, JSON or SARIF output)',
  help: HELP,
  run,
};
