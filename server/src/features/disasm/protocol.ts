/** Messages between the server and its disassembly worker (features/boundedWorkers.ts carries them). */
import type { WasmTextView } from '../../core/disasm/disassemble';

export interface DisassemblyJob {
  bytes: Uint8Array;
}

/** A view with its line offsets packed (one number per line, moved instead of copied). */
export interface DisassemblyReply {
  kind: WasmTextView['kind'];
  text: string;
  offsets: Float64Array;
  omittedLines: number;
  error?: WasmTextView['error'];
}

/** Sent while disassembling: how far it got, and once, the first lines to show while it goes on. */
export interface DisassemblyProgress {
  /** Byte offset of the last line printed. */
  offset: number;
  /** The first lines, ending with a newline (sent once, as soon as there are enough). */
  firstLines?: string;
}

export function packView(view: WasmTextView): DisassemblyReply {
  const reply: DisassemblyReply = {
    kind: view.kind,
    text: view.text,
    offsets: Float64Array.from(view.lines, (line) => line.offset),
    omittedLines: view.omittedLines,
  };
  if (view.error) reply.error = view.error;
  return reply;
}

export function unpackView(reply: DisassemblyReply): WasmTextView {
  const view: WasmTextView = {
    kind: reply.kind,
    text: reply.text,
    lines: Array.from(reply.offsets, (offset) => ({ offset })),
    omittedLines: reply.omittedLines,
  };
  if (reply.error) view.error = reply.error;
  return view;
}
