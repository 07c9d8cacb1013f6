/**
 * `wasm-warden inspect FILE [--json] [--reach]`: prints what a module imports, exports, declares
 * and contains. Binaries are read by core/module; `.wat`/`.wast` text by core/wat (inspect/text.ts,
 * loaded only for text). Output: inspect/describe.ts (text), inspect/json.ts (JSON, streamed).
 * Exit 0 ok, 1 the module has errors, 2 usage/I-O.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain require keeps the text path unloaded for binaries */
import { readFile } from 'node:fs/promises';
import { textTooLarge } from '../textLimit';
import { resolve } from 'node:path';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { readBinaryModule } from '../../core/module/binary';
import { allProposalsNested, CallSiteLog } from '../../core/module/code';
import type { ModuleFacts } from '../../core/module/model';
import { validateBinary } from '../../core/module/validate';
import { reachabilityOf } from '../../core/reach/summary';
import { bytesText, describe, problemLines, reachabilityLines } from '../inspect/describe';
import { jsonFacts, printJson, reachabilityJson } from '../inspect/json';

const HELP = `Usage: wasm-warden inspect FILE [--json] [--reach] [--detail]

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
  --detail with --json, also print the per-item lists functions[] (each function's index, name,
           signature, exports and body location) and dataSegments[] (mode, memory, offset, size,
           location), in nested modules too. Behind a flag for their size: half of duckdb-wasm's
           56 MB of JSON is its 60,000 functions, most of esbuild-wasm's its 98,000 data segments

Exit codes: 0 the module is valid, 1 the module has errors, 2 usage or I/O errors.
`;

interface InspectArgs {
  file: string;
  json: boolean;
  /** List what each exported function reaches. */
  reach: boolean;
  /** Print functions[] and dataSegments[] in JSON. */
  detail: boolean;
}

function parseArgs(args: string[]): InspectArgs {
  let file: string | undefined;
  let json = false;
  let reach = false;
  let detail = false;
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg === '--reach') reach = true;
    else if (arg === '--detail') detail = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`only one FILE can be inspected (got ${file} and ${arg})`);
  }
  if (file === undefined) throw new UsageError('missing FILE');
  return { file, json, reach, detail };
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
    const isText = /\.wa(t|st)$/i.test(path);
    const tooLarge = isText ? await textTooLarge(path) : undefined;
    if (tooLarge) {
      io.stderr(`wasm-warden inspect: cannot read ${file}: ${tooLarge}\n`);
      return 2;
    }
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch (error) {
      io.stderr(
        `wasm-warden inspect: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return 2;
    }
    if (isText)
      // The text path and what it brings (the WAT reader, wabt's worker, wasmparser) load only here.
      return (require('../inspect/text') as typeof import('../inspect/text')).inspectText(
        file,
        Buffer.from(data).toString('utf8'),
        /\.wat$/i.test(path),
        options,
        io,
      );
    const bytes = data;
    const facts = readBinaryModule(bytes);
    // Inspecting is the one place that always wants the body-level proposals too; the same pass
    // over a core module's bodies logs its calls for the call graph.
    const calls = facts.kind === 'module' ? new CallSiteLog() : undefined;
    for (const [m, proposals] of allProposalsNested(bytes, facts, calls)) m.proposals = proposals;
    const validation = validateBinary(bytes, facts);
    // validateBinary returns the reader's own errors when there are any; do not list them twice.
    const problems = [...facts.problems, ...validation.filter((v) => !facts.problems.includes(v))];
    const failed = problems.some((p) => p.severity === 'error');
    const reach = reachabilityOf(facts, bytes, calls);
    if (json) {
      // A component's world and WIT go at the top, once.
      const { world, wit, ...components } = facts.components ?? { imports: [], exports: [] };
      const typed = facts.components ? { components, world, wit } : {};
      const reachability = reach && reachabilityJson(facts, reach, options.reach);
      const fields = { ...typed, ...(reachability ? { reachability } : {}), problems };
      const body = jsonFacts(facts, options.detail, fields as Partial<ModuleFacts>, {
        file,
        size: bytes.length,
      });
      printJson(body, reachability, io);
    } else {
      const lines = [`${file}: ${bytesText(bytes.length)}`, ...describe(facts)];
      if (reach) lines.push(...reachabilityLines(facts, reach, options.reach));
      lines.push(...problemLines(problems));
      io.stdout(`${lines.join('\n')}\n`);
    }
    return failed ? 1 : 0;
  },
};
