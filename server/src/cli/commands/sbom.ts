/**
 * `wasm-warden sbom FILE|FOLDER...`: a CycloneDX 1.6 (default) or SPDX 2.3 JSON software bill of
 * materials for WebAssembly modules. Exit 0 written, 2 usage or I/O errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { discoverModules } from '../../core/discover';
import { readBinaryModule } from '../../core/module/binary';
import { cycloneDxJson, type SbomOptions } from '../../core/sbom/cyclonedx';
import { moduleInventory } from '../../core/sbom/inventory';
import { spdxJson } from '../../core/sbom/spdx';
import { VERSION } from '../../version';
import { parseOptions, UsageError, type CliCommand, type CliIo } from '../command';

const FORMATS = ['cyclonedx', 'spdx'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: wasm-warden sbom [options] FILES|FOLDERS...

Writes a software bill of materials for .wasm modules and components: each module with its SHA-256
and size, its toolchain (the producers section), the Rust crates cargo-auditable recorded in a
.dep-v0 section (as pkg:cargo package URLs with their dependency graph), the core modules and
components nested in a component, its imported interfaces and capability groups, and the key ids
of its signers. Folders are searched as "check" does (.gitignore and node_modules skipped).

Options:
  --format cyclonedx|spdx  CycloneDX 1.6 JSON (default) or SPDX 2.3 JSON
  -o, --output FILE        write the document to FILE instead of stdout
  -h, --help               show this help

SOURCE_DATE_EPOCH (seconds) fixes the document's timestamp, for reproducible builds.

Exit codes: 0 written, 2 usage or I/O errors.
`;

function reproducible(): Pick<SbomOptions, 'timestamp'> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? { timestamp: new Date(Number(epoch) * 1000) } : {};
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'cyclonedx' }, output: { type: 'string', short: 'o' } },
  });
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
  if (positionals.length === 0) throw new UsageError('give the modules or folders to describe');
  const discovery = discoverModules(positionals, io.cwd);
  const files = discovery.files.filter((f) => /\.wasm$/i.test(f));
  for (const problem of discovery.problems)
    io.stderr(`wasm-warden sbom: ${problem.path}: ${problem.message}\n`);
  if (discovery.problems.length > 0) return 2;
  if (files.length === 0) {
    io.stderr('wasm-warden sbom: no .wasm files found\n');
    return 2;
  }
  const inventories = files.map((file) => {
    const bytes = readFileSync(file);
    const name = path.relative(io.cwd, file) || path.basename(file);
    return moduleInventory(name.split(path.sep).join('/'), readBinaryModule(bytes), bytes);
  });
  const options: SbomOptions = { toolVersion: VERSION, ...reproducible() };
  const text = format === 'spdx' ? spdxJson(inventories, options) : cycloneDxJson(inventories, options);
  if (values.output) writeFileSync(path.resolve(io.cwd, values.output), text);
  else io.stdout(text);
  return 0;
}

export const sbomCommand: CliCommand = {
  name: 'sbom',
  summary: 'a CycloneDX 1.6 or SPDX 2.3 bill of materials for modules and components',
  help: HELP,
  run,
};
