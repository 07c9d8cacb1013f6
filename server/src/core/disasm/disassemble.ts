/**
 * The text form of a `.wasm` file, for the read-only view VS Code shows when a binary is opened.
 * Core modules are printed by wasmparser's disassembler; components as `wasm-tools print` prints
 * them (./componentText.ts), with their core modules printed by the same disassembler. Every line records the byte offset it was printed from, so a finding
 * located at a byte offset can be shown on its line: `lineForOffset(view, finding.location.offset)`.
 * Never throws: malformed input gives the text printed so far, a note at the bad byte, and `error`.
 */
import { hasComponentPreamble } from '../module/component';
import { hasWasmMagic } from '../module/coreModule';
import { printComponent } from './componentText';
import { printCoreModule, type DisassemblyError } from './coreModuleText';
import { DEFAULT_VIEW_LIMITS, formatCount, ViewBuilder, type ViewLimits } from './viewBuilder';

export { DEFAULT_VIEW_LIMITS, ViewBuilder, type ViewLimits, type DisassemblyError };

export interface WasmTextLine {
  /** Byte offset in the file this line was printed from. Never decreases from line to line. */
  offset: number;
}

export interface WasmTextView {
  kind: 'module' | 'component' | 'invalid';
  /** The text, lines separated by "\n", ending with a newline. */
  text: string;
  /** One entry per line of `text`, in order. */
  lines: WasmTextLine[];
  /** Instruction lines left out to keep the view within its limits (0 when nothing was cut). */
  omittedLines: number;
  /** The first decoding problem, if the file is not a well-formed module or component. */
  error?: DisassemblyError;
}

/** Disassembles in one go. Use `disassembleAsync` where other work must not wait (the server). */
export function disassemble(bytes: Uint8Array, limits: ViewLimits = DEFAULT_VIEW_LIMITS): WasmTextView {
  const steps = disassemblySteps(bytes, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Disassembles a chunk at a time, letting other events run in between (about every 256 KB of
 * input). Resolves to `null` when `isCancelled` turns true between chunks.
 */
export async function disassembleAsync(
  bytes: Uint8Array,
  limits: ViewLimits = DEFAULT_VIEW_LIMITS,
  isCancelled: () => boolean = () => false,
): Promise<WasmTextView | null> {
  const steps = disassemblySteps(bytes, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (isCancelled()) return null;
  }
}

/**
 * The zero-based line of `view` that shows byte `offset`: the first line printed from the
 * greatest line offset not above it. Offsets inside left-out text land on the note that replaced it.
 */
export function lineForOffset(view: WasmTextView, offset: number): number {
  const { lines } = view;
  if (lines.length === 0) return 0;
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lines[mid].offset <= offset) low = mid;
    else high = mid - 1;
  }
  // Several lines can share one offset (a function's header and its locals): pick the first.
  const target = lines[low].offset;
  let first = 0;
  high = low;
  while (first < high) {
    const mid = (first + high) >> 1;
    if (lines[mid].offset < target) first = mid + 1;
    else high = mid;
  }
  return first;
}

/**
 * Disassembly as a generator that yields about every 16 KB of input, for callers that report
 * progress or show the first lines early: `out` holds the lines printed so far.
 */
export function* disassemblySteps(
  bytes: Uint8Array,
  limits: ViewLimits,
  out = new ViewBuilder(limits),
): Generator<void, WasmTextView> {
  try {
    return yield* printFile(bytes, out);
  } catch (error) {
    // A printer bug on hostile bytes: keep what was printed and say where it stopped.
    const offset = out.offsets.length > 0 ? out.offsets[out.offsets.length - 1] : 0;
    const message = `could not disassemble further (${error instanceof Error ? error.message : String(error)})`;
    out.note('', `error: ${message}`, offset);
    return finish(out, hasComponentPreamble(bytes) ? 'component' : 'module', { message, offset });
  }
}

function* printFile(bytes: Uint8Array, out: ViewBuilder): Generator<void, WasmTextView> {
  if (!hasWasmMagic(bytes)) {
    const message =
      bytes.length === 0
        ? 'the file is empty'
        : 'the file does not start with the WebAssembly magic bytes 00 61 73 6d ("\\0asm")';
    out.note('', `Not a WebAssembly module or component: ${message}.`, 0);
    return finish(out, 'invalid', { message, offset: 0 });
  }
  // wasmparser reads from an ArrayBuffer by absolute position: give it one holding exactly the file.
  const buffer = exactBuffer(bytes);
  if (hasComponentPreamble(bytes)) {
    const error = yield* printComponent(bytes, buffer, 0, bytes.length, '', out);
    return finish(out, 'component', error);
  }
  const error = yield* printCoreModule(buffer, 0, bytes.length, '', out);
  return finish(out, 'module', error);
}

function finish(out: ViewBuilder, kind: WasmTextView['kind'], error: DisassemblyError | null): WasmTextView {
  if (out.omittedLines > 0) {
    const last = out.offsets.length > 0 ? out.offsets[out.offsets.length - 1] : 0;
    out.note(
      '',
      `This view leaves out ${formatCount(out.omittedLines)} lines of function bodies to stay fast in the editor (see the notes above); \`wasm-objdump -d\` or \`wasm2wat\` print everything.`,
      last,
    );
  }
  const view: WasmTextView = {
    kind,
    text: out.lines.join('\n') + '\n',
    lines: out.offsets.map((offset) => ({ offset })),
    omittedLines: out.omittedLines,
  };
  if (error) view.error = error;
  return view;
}

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  )
    return bytes.buffer;
  // Copy explicitly: Node's Buffer#slice would return a view of the same (possibly pooled) memory.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
