/**
 * `wasm-warden inspect` of `.wat` and `.wast` text: facts from the WAT reader (located in the
 * text), a `.wat` validated by wabt. Loaded only for text files: it brings the WAT reader, wabt's
 * worker and wasmparser's tables, which inspecting a binary does not need.
 */
import type { CliIo } from '../command';
import { readBinaryModule } from '../../core/module/binary';
import { reachabilityOf } from '../../core/reach/summary';
import { compileWat, type CompileResult } from '../../core/wat/compile';
import { readWatModules } from '../../core/wat/reader';
import { WatCompileThread } from '../../workers/watCompile/thread';
import { describe, problemLines, reachabilityLines } from './describe';
import { jsonFacts, printJson, reachabilityJson } from './json';

/** Texts below this size are compiled on the main thread: a worker's start-up costs more. */
const IN_PLACE_MAX_CHARS = 1 << 20;

/**
 * wabt on a bounded worker where the bundle has one (dist/wat-compile-worker.js): wabt spins on
 * some large prints (sql.js's 14 MB `.wat`), which then end as a "not validated" warning. A small
 * text compiles in place (compileWat itself sends texts that nest too deep for wabt elsewhere).
 */
async function boundedCompile(text: string, file: string): Promise<CompileResult> {
  if (text.length < IN_PLACE_MAX_CHARS) return compileWat(text, file);
  const thread = WatCompileThread.create();
  if (!thread) return compileWat(text, file);
  try {
    return await thread.compile(text, file);
  } finally {
    thread.dispose();
  }
}

/** A text file: facts from the WAT reader (text locations); a `.wat` is also validated by wabt. */
export async function inspectText(
  file: string,
  text: string,
  validate: boolean,
  { json, reach: perExport, detail }: { json: boolean; reach: boolean; detail: boolean },
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
        ? jsonFacts(only, detail, { ...(reachability ? { reachability } : {}), problems }, { file })
        : { file, kind: 'script', modules: read.modules.map((m) => jsonFacts(m, detail)), problems };
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
