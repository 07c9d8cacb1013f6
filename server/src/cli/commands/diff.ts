/**
 * `wasm-warden diff OLD NEW`: what NEW can do that OLD could not, and the reverse, as text, JSON
 * or Markdown for a pull-request comment. Exit 0 no difference, 1 differences, 2 usage or I/O.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { diffSurfaces, isUnchanged } from '../../core/diff/diffSurfaces';
import { formatDiffMarkdown, formatDiffText } from '../../core/diff/format';
import { gains, losses } from '../../core/diff/gains';
import { nodeFileSystem } from '../../core/policy/fileSystem';
import { PolicyResolver } from '../../core/policy/resolver';
import { ruleIds } from '../../core/rules/registry';
import { parseOptions, UsageError, type CliCommand, type CliIo } from '../command';
import { readSurface } from '../diff/readSurface';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: wasm-warden diff OLD NEW [options]

Compares two .wasm modules (core modules or components): capability groups and imports gained or
lost, exports, memories and tables with their limits, the start function, signatures (signers, key
ids, and their trust under the policy), proposals, custom sections, producers, nested modules and
size. "Gained" lists what NEW can do that OLD could not.

Signatures are verified against the trusted keys of the policy governing NEW (the nearest
wasm-policy.json, or --policy FILE).

Options:
  --format text|json|markdown  output format (default: text; markdown suits a pull-request comment)
  --json                       the same as --format json
  --policy FILE                the policy whose trusted keys judge the signatures
  -h, --help                   show this help

Exit codes: 0 no difference, 1 the modules differ, 2 usage or I/O errors.
`;

function readModule(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      policy: { type: 'string' },
    },
  });
  if (positionals.length !== 2) throw new UsageError('give exactly two modules: OLD NEW');
  if (values.json && values.format && values.format !== 'json')
    throw new UsageError('--json and --format disagree');
  const format = (values.json ? 'json' : (values.format ?? 'text')) as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);

  const [oldFile, newFile] = positionals.map((p) => path.resolve(io.cwd, p));
  const resolver = new PolicyResolver(nodeFileSystem, {
    roots: [io.cwd],
    forcedPath: values.policy ? path.resolve(io.cwd, values.policy) : undefined,
    knownRules: ruleIds(),
  });
  const policy = resolver.resolve(newFile);
  const [before, after] = await Promise.all(
    [oldFile, newFile].map((file) => readSurface({ bytes: readModule(file), file }, policy)),
  );
  const diff = diffSurfaces(before, after);
  const labels = { before: positionals[0], after: positionals[1] };
  if (format === 'json')
    io.stdout(
      `${JSON.stringify({ old: labels.before, new: labels.after, unchanged: isUnchanged(diff), gained: gains(diff), lost: losses(diff), diff }, null, 2)}\n`,
    );
  else io.stdout(format === 'markdown' ? formatDiffMarkdown(diff, labels) : formatDiffText(diff, labels));
  return isUnchanged(diff) && diff.size.before === diff.size.after ? 0 : 1;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'what a new version of a module can do that the old one could not (text, JSON, Markdown)',
  help: HELP,
  run,
};
