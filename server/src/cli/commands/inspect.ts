/**
 * `wasm-warden inspect FILE [--json]`: prints what a module imports, exports, declares and
 * contains. Binaries are read by core/module, `.wat`/`.wast` text by core/wat (facts located in the
 * text; a `.wat` is also validated by compiling it with wabt). Exit 0 ok, 1 the module has errors,
 * 2 usage/I-O.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, type CliCommand, type CliIo } from '../command';
import type { Finding } from '../../core/findings';
import { detectAbis } from '../../core/wasi/hostAbis';
import { readBinaryModule } from '../../core/module/binary';
import { copyFacts, dataSegmentTotals } from '../../core/module/lazyDataSegments';
import { LazyList } from '../jsonStream';
import { writeFactsJson } from '../factsJson';
import type { FuncSignature, ImportFact, ModuleFacts } from '../../core/module/model';
import { validateBinary } from '../../core/module/validate';
import { allProposals } from '../../core/module/code';
import { compileWat, type CompileResult } from '../../core/wat/compile';
import { exportReachRows, neverCalledImports, reachabilityOf } from '../../core/reach/summary';
import { WatCompileThread } from '../../workers/watCompile/thread';
import { readWatModules } from '../../core/wat/reader';
import type { Reachability } from '../../core/reach/reachability';

/**
 * wabt on a bounded worker where the bundle has one (dist/wat-compile-worker.js): wabt spins on
 * some large prints (sql.js's 14 MB `.wat`), which then end as a "not validated" warning.
 */
async function boundedCompile(text: string, file: string): Promise<CompileResult> {
  const thread = WatCompileThread.create();
  if (!thread) return compileWat(text, file);
  try {
    return await thread.compile(text, file);
  } finally {
    thread.dispose();
  }
}

function allNested(facts: ModuleFacts): ModuleFacts[] {
  return (facts.modules ?? []).flatMap((m) => [m, ...allNested(m)]);
}

const HELP = `Usage: wasm-warden inspect FILE [--json] [--reach]

Prints the facts of a WebAssembly module or component: imports (with types), exports, memories,
tables, globals, start function, data and element segments, custom sections, the signature
section, producers and the proposals the module uses; then any problems (malformed bytes, engine
validation errors).

  FILE     a .wasm binary (core module or component), a .wat text module, or a .wast script
           (every module meant to be valid is printed)
  --json   print the facts as JSON (kind, imports[], exports[], memories[], tables[], start,
           customSections[], components.imports/exports and modules[] for components, problems[];
           for core modules reachability.neverCalled[] (and with --reach reachability.exports[{ name,
           imports[] }]); a component adds world (imports[]/exports[] with their functions' WIT
           signatures) and wit (the world and the interfaces it names, as WIT text))
  --reach  also list, for every exported function, the imports it can reach (reachability.exports
           in JSON). Per-function detail, so behind a flag: modules with tens of thousands of
           exports reach hundreds of imports each (duckdb-wasm's would be ~250 MB of JSON)

Exit codes: 0 the module is valid, 1 the module has errors, 2 usage or I/O errors.
`;

interface InspectArgs {
  file: string;
  json: boolean;
  /** List what each exported function reaches. */
  reach: boolean;
}

function parseArgs(args: string[]): InspectArgs {
  let file: string | undefined;
  let json = false;
  let reach = false;
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg === '--reach') reach = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`only one FILE can be inspected (got ${file} and ${arg})`);
  }
  if (file === undefined) throw new UsageError('missing FILE');
  return { file, json, reach };
}

function printJson(body: unknown, lazy: object | undefined, io: CliIo): void {
  writeFactsJson(body, io.stdout, lazy);
  io.stdout('\n');
}

/**
 * `reachability` in JSON: what nothing calls; with `--reach` first what each exported function
 * reaches, made as it prints (duckdb-wasm has 75,000). `labels`: the facts that name the imports.
 */
function reachabilityJson(labels: ModuleFacts, reach: Reachability, perExport: boolean): object {
  const rows = exportReachRows(labels, reach);
  return {
    ...(perExport ? { exports: new LazyList(rows.length, rows.at) } : {}),
    neverCalled: neverCalledImports(labels, reach),
  };
}

// ---- human-readable output -------------------------------------------------------------------

function signatureText(signature: FuncSignature | null): string {
  if (!signature) return '(unknown type)';
  const results = signature.results.length === 1 ? signature.results[0] : `(${signature.results.join(', ')})`;
  return `(${signature.params.join(', ')}) -> ${results}`;
}

function limitsText(initial: number, maximum: number | null): string {
  return `initial ${initial}, maximum ${maximum === null ? 'none' : maximum}`;
}

function importTypeText(entry: ImportFact): string {
  const t = entry.type;
  switch (t.kind) {
    case 'func':
    case 'tag':
      return signatureText(t.signature);
    case 'memory':
      return `${limitsText(t.memory.initial, t.memory.maximum)} pages${t.memory.shared ? ', shared' : ''}${t.memory.memory64 ? ', 64-bit' : ''}`;
    case 'table':
      return `${t.table.elementType}, ${limitsText(t.table.initial, t.table.maximum)}`;
    case 'global':
      return `${t.global.mutable ? 'mut ' : ''}${t.global.valueType}`;
  }
}

function bytesText(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function describeCore(f: ModuleFacts, indent: string): string[] {
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  const defined = f.functions.filter((fn) => !fn.imported).length;
  const code = f.source === 'binary' ? ` (code ${bytesText(f.codeSize)})` : '';
  line(`core module: ${defined} functions${code}, ${f.globals.length} globals`);
  line(`proposals: ${f.proposals.length ? f.proposals.join(', ') : 'none beyond WebAssembly 1.0'}`);
  const abis = detectAbis(f.imports);
  if (abis.length) line(`host ABI: ${abis.map((a) => `${a.label} (${a.imports} imports)`).join(', ')}`);
  line(`imports (${f.imports.length}):`);
  for (const i of f.imports) line(`  ${i.module} :: ${i.name}  ${i.kind} ${importTypeText(i)}`);
  line(`exports (${f.exports.length}):`);
  for (const e of f.exports) {
    const name = e.kind === 'func' ? f.functions[e.index]?.name : undefined;
    line(`  ${e.name}  ${e.kind} ${e.index}${name ? ` (${name})` : ''}`);
  }
  line(`memories (${f.memories.length}):`);
  for (const m of f.memories) {
    const pages = m.pageSize === 65536 ? 'pages of 64 KiB' : `pages of ${m.pageSize} B`;
    const flags = [
      m.imported ? 'imported' : 'defined',
      m.shared ? 'shared' : '',
      m.memory64 ? '64-bit' : '',
      m.exportedAs.length ? `exported as ${m.exportedAs.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    line(`  memory ${m.index}: ${limitsText(m.initial, m.maximum)} ${pages}; ${flags}`);
  }
  line(`tables (${f.tables.length}):`);
  for (const t of f.tables)
    line(
      `  table ${t.index}: ${t.elementType}, ${limitsText(t.initial, t.maximum)}; ${t.imported ? 'imported' : 'defined'}`,
    );
  if (f.start)
    line(`start: function ${f.start.funcIndex}${f.start.funcName ? ` (${f.start.funcName})` : ''}`);
  const data = dataSegmentTotals(f);
  line(
    `data segments: ${data.count} (${data.count - data.passive} active, ${data.passive} passive), ${bytesText(data.bytes)}`,
  );
  line(`element segments: ${f.elementSegments.length}`);
  describeCustom(f, indent).forEach((l) => out.push(l));
  return out;
}

function describeCustom(f: ModuleFacts, indent: string): string[] {
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  line(`custom sections (${f.customSections.length}):`);
  for (const c of f.customSections) line(`  ${c.name} (${bytesText(c.size)})`);
  if (f.signature) {
    if (f.signature.error) line(`signature: unreadable (${f.signature.error})`);
    else {
      const signatures = f.signature.signedHashSets.flatMap((s) => s.signatures);
      const keyIds = signatures.map((s) => s.keyId ?? '(none)');
      line(
        `signature: ${f.signature.signedHashSets.length} signed hash set(s), ${signatures.length} signature(s), key ids: ${keyIds.join(', ')}`,
      );
    }
  }
  if (f.producers) {
    for (const [field, values] of Object.entries(f.producers.fields)) {
      line(`${field}: ${values.map((v) => (v.version ? `${v.name} ${v.version}` : v.name)).join(', ')}`);
    }
  }
  return out;
}

function describe(f: ModuleFacts, indent = ''): string[] {
  if (f.kind === 'module') return describeCore(f, indent);
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  const c = f.components ?? { imports: [], exports: [] };
  line(
    `component: ${c.imports.length} imports, ${c.exports.length} exports, ${f.modules?.length ?? 0} nested modules/components`,
  );
  line(
    `proposals (nested modules): ${f.proposals.length ? f.proposals.join(', ') : 'none beyond WebAssembly 1.0'}`,
  );
  line(`imports (${c.imports.length}):`);
  for (const i of c.imports) line(`  ${i.name}${i.kind ? `  ${i.kind}` : ''}`);
  line(`exports (${c.exports.length}):`);
  for (const e of c.exports) line(`  ${e.name}${e.kind ? `  ${e.kind}` : ''}`);
  if (c.wit) {
    line('world (WIT):');
    for (const witLine of c.wit.trimEnd().split('\n')) line(witLine ? `  ${witLine}` : '');
  }
  describeCustom(f, indent).forEach((l) => out.push(l));
  (f.modules ?? []).forEach((nested, n) => {
    const at = nested.location.kind === 'binary' ? ` at byte ${nested.location.offset}` : '';
    line(`nested ${nested.kind} ${n}${at}:`);
    out.push(...describe(nested, `${indent}    `));
  });
  return out;
}

function reachabilityLines(labels: ModuleFacts, reach: Reachability, perExport: boolean): string[] {
  const rows = exportReachRows(labels, reach);
  const lines: string[] = [];
  if (perExport) {
    const reaching = Array.from({ length: rows.length }, (_, row) => rows.at(row)).filter(
      (e) => e.imports.length,
    );
    lines.push(
      `reachability (${reaching.length} of ${rows.length} exported functions reach imports):`,
      ...reaching.map((e) => `  ${e.name} → ${e.imports.join(', ')}`),
    );
  } else
    lines.push(
      `reachability: --reach lists the imports each of the ${rows.length} exported functions reaches`,
    );
  const neverCalled = neverCalledImports(labels, reach);
  lines.push(
    `declared but never called (${neverCalled.length})${neverCalled.length ? ':' : ''}`,
    ...neverCalled.map((name) => `  ${name}`),
  );
  return lines;
}

function problemText(p: Finding): string {
  const where =
    p.location.kind === 'binary'
      ? `byte ${p.location.offset}`
      : `${p.location.start.line + 1}:${p.location.start.character + 1}`;
  return `  ${p.severity} ${where}: ${p.message} [${p.ruleId}]`;
}

function problemLines(problems: Finding[]): string[] {
  return [
    problems.length ? `problems (${problems.length}):` : 'problems: none',
    ...problems.map(problemText),
  ];
}

/** A text file: facts from the WAT reader (text locations); a `.wat` is also validated by wabt. */
async function inspectText(
  file: string,
  text: string,
  validate: boolean,
  { json, reach: perExport }: InspectArgs,
  io: CliIo,
): Promise<number> {
  const read = readWatModules(text);
  const problems = [...read.findings];
  let compiled: CompileResult | undefined;
  if (validate && !problems.some((p) => p.severity === 'error')) {
    compiled = await boundedCompile(text, file);
    problems.push(...compiled.findings);
  }
  const failed = problems.some((p) => p.severity === 'error');
  const [only] = read.modules;
  // The call graph of a one-module text comes from wabt's bytes (the same function indices).
  const reach =
    compiled?.bytes && read.modules.length === 1 && !failed
      ? reachabilityOf(compiled.facts ?? readBinaryModule(compiled.bytes), compiled.bytes)
      : undefined;
  if (json) {
    const reachability = reach && reachabilityJson(only, reach, perExport);
    const body =
      read.modules.length === 1
        ? { file, ...only, ...(reachability ? { reachability } : {}), problems }
        : { file, kind: 'script', modules: read.modules, problems };
    printJson(body, reachability, io);
  } else {
    const lines = [`${file}: ${read.modules.length} module${read.modules.length === 1 ? '' : 's'} in text`];
    read.modules.forEach((m, n) => {
      if (read.modules.length > 1)
        lines.push(
          `module ${n}${m.id ? ` ${m.id}` : ''} (line ${m.location.kind === 'text' ? m.location.start.line + 1 : '?'}):`,
        );
      lines.push(...describe(m, read.modules.length > 1 ? '    ' : ''));
    });
    if (reach) lines.push(...reachabilityLines(only, reach, perExport));
    lines.push(...problemLines(problems));
    io.stdout(`${lines.join('\n')}\n`);
  }
  return failed ? 1 : 0;
}

// ---- the command -----------------------------------------------------------------------------

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'print the facts of a module: imports, exports, memories, sections, proposals',
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const options = parseArgs(args);
    const { file, json } = options;
    const path = resolve(io.cwd, file);
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch (error) {
      io.stderr(
        `wasm-warden inspect: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return 2;
    }
    if (/\.wa(t|st)$/i.test(path))
      return inspectText(file, Buffer.from(data).toString('utf8'), /\.wat$/i.test(path), options, io);
    const bytes = data;
    const facts = readBinaryModule(bytes);
    // Inspecting is the one place that always wants the body-level proposals too.
    for (const m of [facts, ...allNested(facts)]) m.proposals = allProposals(bytes, m);
    const validation = validateBinary(bytes, facts);
    // validateBinary returns the reader's own errors when there are any; do not list them twice.
    const problems = [...facts.problems, ...validation.filter((v) => !facts.problems.includes(v))];
    const failed = problems.some((p) => p.severity === 'error');
    const reach = reachabilityOf(facts, bytes);
    if (json) {
      // A component's world and WIT go at the top, once.
      const { world, wit, ...components } = facts.components ?? { imports: [], exports: [] };
      const typed = facts.components ? { components, world, wit } : {};
      const reachability = reach && reachabilityJson(facts, reach, options.reach);
      const fields = { ...typed, ...(reachability ? { reachability } : {}), problems };
      printJson(
        copyFacts(facts, fields as Partial<ModuleFacts>, { file, size: bytes.length }),
        reachability,
        io,
      );
    } else {
      const lines = [`${file}: ${bytesText(bytes.length)}`, ...describe(facts)];
      if (reach) lines.push(...reachabilityLines(facts, reach, options.reach));
      lines.push(...problemLines(problems));
      io.stdout(`${lines.join('\n')}\n`);
    }
    return failed ? 1 : 0;
  },
};
