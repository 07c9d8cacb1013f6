/**
 * WAT → bytes with the `wabt` npm package (every feature it supports enabled), and validation.
 * wabt reports problems as text (`file:line:col: error: message` followed by the source line and
 * carets); each becomes a Finding at the exact text range. Signing and the sandbox call
 * `compileWat` to turn a .wat into bytes. Never throws.
 */
import type wabtFactory from 'wabt';
import { OperatorCodeNames } from 'wasmparser';
import { closestMatch } from '../suggest';
import type { Finding } from '../findings';
import { LineIndex, textSpan } from '../location';
import { readBinaryModule } from '../module/binary';
import { validateBinary } from '../module/validate';
import type { ModuleFacts } from '../module/model';
import { SYNTAX_RULE_ID } from './syntax';
import { flatNestingDepth } from './flatNesting';
import { parseComponentText } from '../jco/componentTools';

export const INVALID_MODULE_RULE_ID = 'invalid-module';

type Wabt = Awaited<ReturnType<typeof wabtFactory>>;
/** wabt's typings miss `multi_memory`, which the build supports. */
type WabtFeatures = NonNullable<Parameters<Wabt['parseWat']>[2]> & { multi_memory?: boolean };

/** Every post-MVP feature this wabt build knows (the same set for parsing and for validation). */
export const WABT_FEATURES: Required<WabtFeatures> = {
  multi_memory: true,
  exceptions: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  threads: true,
  function_references: true,
  multi_value: true,
  tail_call: true,
  bulk_memory: true,
  reference_types: true,
  annotations: true,
  code_metadata: true,
  gc: true,
  memory64: true,
  extended_const: true,
  relaxed_simd: true,
};

let wabtInstance: Promise<Wabt> | undefined;
const utf8 = new TextEncoder();

/**
 * wabt is an Emscripten module: instantiate it once, on first use, and share it. It is also most of
 * a bundle's code, so it is required here, on first use: the bundles load `dist/wabt.js` only when
 * text is compiled (scripts/build.mjs), and a CLI command that never compiles never parses it.
 */
export function loadWabt(): Promise<Wabt> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  wabtInstance ??= (require('wabt') as typeof wabtFactory)();
  return wabtInstance;
}

export interface CompileResult {
  /** The binary module; absent when the text does not parse or validate, or wabt cannot encode it. */
  bytes?: Uint8Array;
  /** The facts read from `bytes` while checking them (absent when the check is off). */
  facts?: ModuleFacts;
  findings: Finding[];
}

export interface CompileOptions {
  /**
   * Check that wabt's bytes decode (default true). Only a test that studies wabt's own output
   * turns this off.
   */
  checkOutput?: boolean;
}

/**
 * The deepest flat `block`/`loop` nesting given to wabt: its npm build spins for ever a little past
 * 175 (flatNesting.ts). Deeper modules go to wasm-tools' parser (`compileDeepWat`).
 */
export const WABT_MAX_FLAT_NESTING = 160;

export async function compileWat(
  text: string,
  fileName = 'module.wat',
  options: CompileOptions = {},
): Promise<CompileResult> {
  if (flatNestingDepth(text, WABT_MAX_FLAT_NESTING) > WABT_MAX_FLAT_NESTING)
    return compileDeepWat(text, fileName);
  let wabt: Wabt;
  try {
    wabt = await loadWabt();
  } catch (error) {
    return {
      findings: [errorAtStart(`Could not load the wabt compiler: ${String(error)}`, INVALID_MODULE_RULE_ID)],
    };
  }
  let module: ReturnType<Wabt['parseWat']>;
  try {
    // Bytes, not the string: wabt's string path keeps one byte per UTF-16 unit and garbles non-ASCII.
    module = wabt.parseWat(fileName, utf8.encode(text), WABT_FEATURES);
  } catch (error) {
    return { findings: wabtFailure(error, text, SYNTAX_RULE_ID) };
  }
  try {
    // Unknown names are a text-format problem (malformed), not a validation one.
    try {
      module.resolveNames();
    } catch (error) {
      return { findings: wabtFailure(error, text, SYNTAX_RULE_ID) };
    }
    try {
      // validate() takes its own feature set; without it wabt validates with the defaults.
      (module.validate as (features: WabtFeatures) => void)(WABT_FEATURES);
    } catch (error) {
      return { findings: wabtFailure(error, text, INVALID_MODULE_RULE_ID) };
    }
    const bytes = Uint8Array.from(module.toBinary({}).buffer);
    // wabt 1.0.39 writes some valid modules wrongly (the memory index of data segments in a
    // second memory, pre-standard typed-reference opcodes); bytes that do not decode must not
    // reach signing or the sandbox.
    const facts = options.checkOutput === false ? undefined : readBinaryModule(bytes);
    const problem = facts?.problems.find((p) => p.severity === 'error');
    if (problem) {
      return {
        findings: [
          {
            ...errorAtStart(
              `The module is valid, but wabt wrote a binary for it that does not decode (${problem.message}); this is a wabt limitation, so there are no bytes to sign or run.`,
              INVALID_MODULE_RULE_ID,
            ),
            severity: 'warning',
          },
        ],
      };
    }
    return facts ? { bytes, facts, findings: [] } : { bytes, findings: [] };
  } catch (error) {
    return { findings: wabtFailure(error, text, INVALID_MODULE_RULE_ID) };
  } finally {
    try {
      module.destroy();
    } catch {
      wabtInstance = undefined; // a trap while freeing: the instance is not to be trusted either
    }
  }
}

/**
 * A module nested too deep for wabt goes to wasm-tools' parser instead (in the jco tools process,
 * killed after a time limit) and V8 validates its bytes. wasm-tools reports a parse error with a
 * line and column; V8's verdict has none in the text, so it is placed at the start.
 */
async function compileDeepWat(text: string, fileName: string): Promise<CompileResult> {
  const notValidated = (why: string): CompileResult => ({
    findings: [
      {
        ...errorAtStart(
          `Not validated: blocks nest more than ${WABT_MAX_FLAT_NESTING} deep, past what wabt's parser handles, and ${why}. The reader's findings and the rules that need no function bodies still apply.`,
          INVALID_MODULE_RULE_ID,
        ),
        severity: 'warning',
      },
    ],
  });
  const parsed = await parseComponentText(text, fileName);
  if (!(parsed instanceof Uint8Array)) {
    // wasm-tools' parse errors come as Rust debug text: `text: Some(Text { line: 2, col: 4, …`
    // (zero-based) and `kind: Custom("unknown operator or unexpected token")`.
    const located = /text: Some\(Text \{ line: (\d+), col: (\d+)/.exec(parsed.error);
    if (!located)
      return notValidated(`wasm-tools could not read it (${parsed.error.split('\n')[0].slice(0, 200)})`);
    const lines = new LineIndex(text);
    const start = lines.offsetAt({ line: Number(located[1]), character: Number(located[2]) });
    const said = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(parsed.error)?.[1];
    const message = `${said ?? 'this is not valid module text'} (wasm-tools)`;
    return {
      findings: [
        { ruleId: SYNTAX_RULE_ID, severity: 'error', message, location: lines.span(start, start + 1) },
      ],
    };
  }
  const facts = readBinaryModule(parsed);
  const verdict = validateBinary(parsed, facts);
  // The engine's findings point into the bytes, which this text does not map: they go at the start.
  if (verdict.length > 0)
    return { findings: verdict.map((f) => ({ ...f, location: errorAtStart('', f.ruleId).location })) };
  return { bytes: parsed, facts, findings: [] };
}

/**
 * wabt's own diagnostics are thrown as errors with `file:line:col: error:` lines. Anything else is
 * a trap inside wabt (deep nesting overflows its stack: "memory access out of bounds", or "out of
 * memory"), after which its memory is corrupt: every later compile on that instance failed at 1:1,
 * valid modules included. So the instance is dropped and the next compile gets a fresh one.
 */
function wabtFailure(error: unknown, text: string, ruleId: string): Finding[] {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as Error)?.name === 'RuntimeError' || !LOCATED_ANYWHERE.test(message)) {
    wabtInstance = undefined;
    return [
      errorAtStart(
        `wabt could not compile this module (${message.split('\n')[0]}); very deep nesting is the usual cause. Other modules are unaffected.`,
        ruleId,
      ),
    ];
  }
  return wabtFindings(error, text, ruleId);
}

/** Parses and validates a module; the findings are located in `text`. */
export async function validateWat(text: string, fileName?: string): Promise<Finding[]> {
  return (await compileWat(text, fileName)).findings;
}

const LOCATED = /:(\d+):(\d+): (error|warning): (.*)$/;
const LOCATED_ANYWHERE = /:(\d+):(\d+): (error|warning): /m;

/**
 * Turns wabt's error text into findings; a message without a location is placed at the start.
 * The line index is built here, on failure only: a clean module never pays for one.
 */
export function wabtFindings(error: unknown, text: string, ruleId: string): Finding[] {
  const lines = new LineIndex(text);
  const message = error instanceof Error ? error.message : String(error);
  const rows = message.split('\n');
  const findings: Finding[] = [];
  for (let i = 0; i < rows.length; i++) {
    const m = LOCATED.exec(rows[i]);
    if (!m) continue;
    const line = Number(m[1]) - 1;
    const byteColumn = Number(m[2]) - 1;
    // The caret row under the echoed source line gives the length in bytes.
    const carets = /^\s*(\^+)/.exec(rows[i + 2] ?? '');
    const byteLength = carets ? carets[1].length : 1;
    const start = charOffset(text, lines, line, byteColumn);
    const end = charOffset(text, lines, line, byteColumn + byteLength);
    findings.push({
      ruleId,
      severity: m[3] === 'warning' ? 'warning' : 'error',
      message: explainMessage(m[4]),
      location: lines.span(start, Math.max(end, start)),
    });
  }
  if (findings.length === 0) {
    const first = rows.find((r) => r.trim() !== '' && !/failed:$/.test(r)) ?? message;
    findings.push(errorAtStart(first, ruleId));
  }
  return findings;
}

/** Every instruction name (wasmparser's opcode table), for "did you mean" on a misspelt one. */
let instructionNames: Set<string> | undefined;
function instructions(): Set<string> {
  instructionNames ??= new Set(
    OperatorCodeNames.filter((n): n is string => typeof n === 'string' && n !== ''),
  );
  return instructionNames;
}

/**
 * wabt's "unexpected token "i32.cnst", expected an instr." names neither the problem nor the fix:
 * say the word is not an instruction and suggest the nearest one. Other messages pass unchanged.
 */
export function explainMessage(message: string): string {
  const m = /^unexpected token "?([a-z][a-z0-9_.]*)"?, expected (?:an instr\.|\)\.)$/.exec(message);
  if (!m) return message;
  const word = m[1];
  const known = instructions();
  // `expected ).` also follows a stray keyword that is no instruction-looking word: leave it.
  if (known.has(word) || (!message.includes('an instr.') && !word.includes('.'))) return message;
  const near = closestMatch(word, known);
  return `Unknown instruction "${word}".${near ? ` Did you mean "${near}"?` : ''} (wabt: ${message})`;
}

/** wabt counts columns in UTF-8 bytes; LSP positions count UTF-16 code units. */
function charOffset(text: string, lines: LineIndex, line: number, byteColumn: number): number {
  const lineStart = lines.offsetAt({ line, character: 0 });
  let bytes = 0;
  let i = lineStart;
  while (i < text.length && bytes < byteColumn) {
    const c = text.codePointAt(i)!;
    if (c === 0x0a || c === 0x0d) break;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c >= 0x10000 ? 2 : 1;
  }
  return i;
}

function errorAtStart(message: string, ruleId: string): Finding {
  return {
    ruleId,
    severity: 'error',
    message,
    location: textSpan({ line: 0, character: 0 }, { line: 0, character: 0 }),
  };
}
