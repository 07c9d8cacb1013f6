import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import wabtFactory from 'wabt';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { checkWatSyntax } from '../../server/src/core/wat/syntax';
import { DEFAULT_SETTINGS, type SettingsStore } from '../../server/src/features/settings';
import { WasmViewFeature } from '../../server/src/features/wasmView';
import type { WasmTextParams, WasmTextResult } from '../../server/src/protocol/wasmView';
import {
  DEFAULT_VIEW_LIMITS,
  disassemble,
  disassembleAsync,
  lineForOffset,
  type WasmTextView,
} from '../../server/src/core/disasm/disassemble';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'disassemble');

type Wabt = Awaited<ReturnType<typeof wabtFactory>>;
let wabt: Wabt;

/** Compiles WAT with the wabt npm package, keeping names (the name section). */
function wat(text: string): Uint8Array {
  const parsed = wabt.parseWat('test.wat', text);
  try {
    parsed.resolveNames();
    return parsed.toBinary({ write_debug_names: true }).buffer;
  } finally {
    parsed.destroy();
  }
}

function lineText(view: WasmTextView, line: number): string {
  return view.text.split('\n')[line];
}

function lineStarting(view: WasmTextView, prefix: string): number {
  const line = view.text.split('\n').findIndex((l) => l.startsWith(prefix));
  assert.ok(line >= 0, `a line starting with ${JSON.stringify(prefix)} in:\n${view.text}`);
  return line;
}

function offsetOf(location: { kind: string; offset?: number }): number {
  assert.equal(location.kind, 'binary');
  return location.offset!;
}

let small: Uint8Array;

describe('disassemble (.wasm text view)', () => {
  before(async () => {
    wabt = await wabtFactory();
    small = wat(readFileSync(path.join(FIXTURES, 'small.wat'), 'utf8'));
  });

  it('prints a small module as text', () => {
    const view = disassemble(small);
    assert.equal(view.kind, 'module');
    assert.equal(view.error, undefined);
    assert.equal(view.omittedLines, 0);
    assert.equal(
      view.text,
      [
        '(module',
        '  (type $type0 (func (param i32 i32 i32 i32) (result i32)))',
        '  (type $type1 (func (param i32 i32) (result i32)))',
        '  (type $type2 (func (param i32)))',
        '  (func $fd_write (;0;) (import "wasi_snapshot_preview1" "fd_write") (param i32 i32 i32 i32) (result i32))',
        '  (memory $memory (;0;) 1 2)',
        '  (global $counter (;0;) (mut i32) (i32.const 0))',
        '  (export "memory" (memory $memory))',
        '  (export "add" (func $add))',
        '  (func $add (;1;) (param $a (;0;) i32) (param $b (;1;) i32) (result i32)',
        '    local.get $a',
        '    local.get $b',
        '    i32.add',
        '  )',
        '  (func $loop (;2;) (param $n (;0;) i32)',
        '    block $label0',
        '      loop $label1',
        '        local.get $n',
        '        i32.eqz',
        '        br_if $label0',
        '        local.get $n',
        '        i32.const 1',
        '        i32.sub',
        '        local.set $n',
        '        br $label1',
        '      end $label1',
        '    end $label0',
        '  )',
        '  (data (i32.const 16) "hi\\00")',
        '  ;; custom section "name" at 0x94, 61 bytes',
        ')',
        '',
      ].join('\n'),
    );
    assert.equal(view.lines.length, view.text.split('\n').length - 1, 'one offset per line');
  });

  it('places every module-level line at the start of its entry', () => {
    const view = disassemble(small);
    const facts = readBinaryModule(small);
    const at = (prefix: string) => view.lines[lineStarting(view, prefix)].offset;
    assert.equal(at('  (func $fd_write'), offsetOf(facts.imports[0].location));
    assert.equal(at('  (memory'), offsetOf(facts.memories[0].location));
    assert.equal(at('  (global'), offsetOf(facts.globals[0].location));
    assert.equal(at('  (export "memory"'), offsetOf(facts.exports[0].location));
    assert.equal(at('  (export "add"'), offsetOf(facts.exports[1].location));
    assert.equal(at('  (func $add'), offsetOf(facts.functions[1].location));
    assert.equal(at('  (data'), offsetOf(facts.dataSegments[0].location));
    assert.equal(at('  ;; custom section "name"'), facts.customSections[0] && 0x94);
    const offsets = view.lines.map((l) => l.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
      'offsets never decrease',
    );
  });

  it('finds the line for a byte offset', () => {
    const view = disassemble(small);
    const facts = readBinaryModule(small);
    const importEntry = offsetOf(facts.imports[0].location);
    assert.match(lineText(view, lineForOffset(view, importEntry)), /^ {2}\(func \$fd_write/);
    // every byte of an import entry belongs to its line
    assert.match(lineText(view, lineForOffset(view, importEntry + 5)), /^ {2}\(func \$fd_write/);
    // an instruction, and the second byte of a two-byte instruction
    const add = facts.functions[1];
    const body = add.bodyOffset!;
    assert.equal(lineText(view, lineForOffset(view, body + 1)), '    local.get $a'); // after the locals count
    assert.equal(lineText(view, lineForOffset(view, body + 2)), '    local.get $a');
    assert.equal(lineText(view, lineForOffset(view, body + 5)), '    i32.add');
    // the function's size field lands on its header line
    assert.match(lineText(view, lineForOffset(view, offsetOf(add.location))), /^ {2}\(func \$add/);
    assert.equal(lineForOffset(view, 0), 0);
    assert.equal(lineForOffset(view, small.length + 100), view.lines.length - 1);
  });

  it('picks the first of several lines printed from the same byte', () => {
    const view: WasmTextView = {
      kind: 'module',
      text: 'a\nb\nc\nd\n',
      lines: [{ offset: 0 }, { offset: 8 }, { offset: 8 }, { offset: 12 }],
      omittedLines: 0,
    };
    assert.equal(lineForOffset(view, 8), 1);
    assert.equal(lineForOffset(view, 11), 1);
    assert.equal(lineForOffset(view, 12), 3);
    assert.equal(lineForOffset(view, 7), 0);
  });

  it('cuts a long function body to the per-function limit with a note where the cut is', () => {
    const view = disassemble(small, { ...DEFAULT_VIEW_LIMITS, maxLinesPerFunction: 2 });
    const loop = readBinaryModule(small).functions[2];
    const note = lineStarting(view, '        ;; …');
    assert.equal(
      lineText(view, note),
      '        ;; … 10 more lines of this function not shown (the view shows at most 2 lines per function), from byte 0x78',
    );
    assert.equal(lineText(view, note - 1), '      loop $label1');
    assert.equal(lineText(view, note + 1), '  )', "the function's closing parenthesis stays");
    assert.equal(
      lineText(view, lineStarting(view, '    ;; …')),
      '    ;; … 1 more line of this function not shown (the view shows at most 2 lines per function), from byte 0x70',
    );
    assert.equal(view.omittedLines, 11);
    // a byte inside the left-out instructions lands on the note
    assert.equal(lineForOffset(view, loop.bodyOffset! + loop.bodySize! - 3), note);
    assert.match(view.text, /\n;; This view leaves out 11 lines of function bodies .*\n$/);
  });

  it('stops printing function bodies when the total budget is spent', () => {
    const view = disassemble(small, { ...DEFAULT_VIEW_LIMITS, maxFunctionLines: 3 });
    const text = view.text.split('\n');
    assert.deepEqual(text.slice(lineStarting(view, '  (func $add'), lineStarting(view, '  (data')), [
      '  (func $add (;1;) (param $a (;0;) i32) (param $b (;1;) i32) (result i32)',
      '    local.get $a',
      '    local.get $b',
      '    i32.add',
      '  )',
      '  (func $loop (;2;) (param $n (;0;) i32)',
      '    ;; … 12 lines of this function not shown (the view shows at most 3 lines of function bodies in all), from byte 0x74',
      '  )',
    ]);
    assert.equal(view.omittedLines, 12);
  });

  it('cuts very long lines, keeping them well-formed, with a note', () => {
    const bytes = wat(
      `(module (memory 1) (data (i32.const 0) "${'\\ff'.repeat(100)}") (elem (i32.const 0) func $a $b $c $d $e $f) (table 6 funcref) (func $a) (func $b) (func $c) (func $d) (func $e) (func $f))`,
    );
    const view = disassemble(bytes, { ...DEFAULT_VIEW_LIMITS, maxLineLength: 40 });
    assert.equal(
      lineText(view, lineStarting(view, '  (data')),
      `  (data (i32.const 0) "${'\\ff'.repeat(5)}…") ;; … line cut: 287 more characters not shown`,
    );
    assert.match(
      lineText(view, lineStarting(view, '  (elem')),
      /^ {2}\(elem .{0,40}\) ;; … line cut: \d+ more characters not shown$/,
    );
    assert.equal(view.lines.length, view.text.split('\n').length - 1);
  });

  it('stays well-formed WAT when lines and bodies are cut (no syntax errors in the view)', () => {
    const bytes = wat(
      `(module (func $f (param i32 i32 i32 i32 i32 i32) (result i32) ${'local.get 0 '.repeat(20)} ${'drop '.repeat(19)}) (memory 1) (data (i32.const 0) "${'\\ff'.repeat(100)}"))`,
    );
    const view = disassemble(bytes, { maxLinesPerFunction: 3, maxFunctionLines: 10, maxLineLength: 50 });
    assert.ok(view.omittedLines > 0 && view.text.includes('line cut'), view.text);
    assert.deepEqual(checkWatSyntax(view.text), []);
  });

  it('reads from a Buffer that is a view into a larger (pooled) buffer', () => {
    const pool = Buffer.alloc(small.length + 17, 0xee);
    pool.set(small, 9);
    const slice = pool.subarray(9, 9 + small.length);
    assert.equal(disassemble(slice).text, disassemble(small).text);
  });

  describe('bad input gives a message, never an exception', () => {
    it('an empty file', () => {
      const view = disassemble(new Uint8Array(0));
      assert.equal(view.kind, 'invalid');
      assert.equal(view.text, ';; Not a WebAssembly module or component: the file is empty.\n');
      assert.deepEqual(view.error, { message: 'the file is empty', offset: 0 });
      assert.deepEqual(view.lines, [{ offset: 0 }]);
    });

    it('a file that is not WebAssembly', () => {
      const view = disassemble(Buffer.from('<!doctype html>\n<html></html>'));
      assert.equal(view.kind, 'invalid');
      assert.match(
        view.text,
        /^;; Not a WebAssembly module or component: the file does not start with the WebAssembly magic bytes 00 61 73 6d/,
      );
    });

    it('an unknown version', () => {
      const view = disassemble(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00]));
      assert.equal(view.kind, 'module');
      assert.ok(view.error, 'an error is reported');
      assert.match(view.text, /;; error: cannot disassemble further at byte 0x\w+: .*version/i);
    });

    it('a module cut short keeps what it could print and says where it stopped', () => {
      const cut = small.subarray(0, 0x7b); // inside the second function body
      const view = disassemble(cut);
      assert.equal(view.kind, 'module');
      assert.deepEqual(view.error, {
        message: 'section size 32 of the code section runs past the end of the module (18 bytes left)',
        offset: 0x68,
      });
      assert.ok(view.text.includes('    i32.add\n'), 'the first function is printed');
      assert.match(view.text, /\n;; error: cannot disassemble further at byte 0x68: section size 32 .*\n$/);
      assert.equal(view.lines.length, view.text.split('\n').length - 1);
    });

    it('an unknown opcode inside a body', () => {
      const bytes = Uint8Array.from(small);
      const body = readBinaryModule(small).functions[1].bodyOffset!;
      bytes[body + 5] = 0xd7; // i32.add → an opcode no proposal defines
      const view = disassemble(bytes);
      assert.deepEqual(view.error, { message: 'unknown opcode 0xd7', offset: body + 6 });
      assert.ok(
        view.text.endsWith(
          `    local.get $b\n;; error: cannot disassemble further at byte 0x${(body + 6).toString(16)}: unknown opcode 0xd7\n`,
        ),
      );
    });

    it('random bytes after a valid preamble', () => {
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
      for (let round = 0; round < 50; round++) {
        const bytes = Uint8Array.from([
          0x00,
          0x61,
          0x73,
          0x6d,
          0x01,
          0x00,
          0x00,
          0x00,
          ...Array.from({ length: 64 }, random),
        ]);
        const view = disassemble(bytes);
        assert.equal(view.lines.length, view.text.split('\n').length - 1);
      }
    });
  });

  describe('components', () => {
    /** A component: a core module section holding `core`, then an import of an instance. */
    function component(core: Uint8Array): Uint8Array {
      const name = Buffer.from('wasi:cli/run@0.2.0');
      const importPayload = [0x01, 0x00, name.length, ...name, 0x05, 0x00];
      return Uint8Array.from([
        ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
        ...[0x0a, importPayload.length, ...importPayload],
        ...[0x01, ...encodeVarUint32(core.length), ...core],
      ]);
    }

    it('prints the component and the core modules inside', () => {
      const core = wat('(module (func (export "run") (result i32) i32.const 7))');
      const bytes = component(core);
      const view = disassemble(bytes);
      assert.equal(view.kind, 'component');
      assert.equal(view.error, undefined);
      const moduleAt = bytes.length - core.length;
      assert.equal(
        view.text,
        [
          '(component',
          '  (import "wasi:cli/run@0.2.0" (instance (;0;) (type 0)))',
          '  (core module (;0;)',
          '    (type $type0 (func (result i32)))',
          '    (export "run" (func $run))',
          '    (func $run (;0;) (result i32)',
          '      i32.const 7',
          '    )',
          '    ;; custom section "name" at 0x47, 12 bytes',
          '  )',
          ')',
          '',
        ].join('\n'),
      );
      // offsets inside the nested module are offsets in the component file
      const constLine = lineStarting(view, '      i32.const 7');
      assert.ok(view.lines[constLine].offset > moduleAt && view.lines[constLine].offset < bytes.length);
      const importEntry = readBinaryModule(bytes).components!.imports[0].location;
      assert.equal(lineForOffset(view, offsetOf(importEntry) + 3), lineStarting(view, '  (import'));
    });

    it('reports a broken nested module inside the component text', () => {
      const core = wat('(module (func (result i32) i32.const 7))');
      const broken = Uint8Array.from(core);
      broken[readBinaryModule(core).functions[0].bodyOffset! + 1] = 0xd7; // the first instruction
      const view = disassemble(component(broken));
      assert.equal(view.kind, 'component');
      assert.ok(view.error, 'the nested error is reported');
      assert.match(view.text, / {2};; error: cannot disassemble further at byte 0x\w+/);
      assert.match(view.text, /\n\)\n$/, 'the component text is closed');
    });
  });

  it('disassembles asynchronously to the same text, and can be cancelled', async () => {
    const view = await disassembleAsync(small);
    assert.equal(view?.text, disassemble(small).text);
    // a module larger than one chunk, so there is a point to cancel at
    const big = wat(`(module (memory 1) (data (i32.const 0) "${'\\00'.repeat(300_000)}"))`);
    let checks = 0;
    const cancelled = await disassembleAsync(big, DEFAULT_VIEW_LIMITS, () => ++checks > 0);
    assert.equal(cancelled, null);
    assert.equal(checks, 1);
  });
});

describe('wasmWarden/wasmText handler (server feature)', () => {
  type Handler = (
    params: WasmTextParams,
    token?: { isCancellationRequested: boolean },
  ) => Promise<WasmTextResult>;
  let dir: string;
  let registered: { method: string; handler: Handler } | undefined;
  let maxFileSize: number;

  function feature(): WasmViewFeature {
    const connection = {
      onRequest: (type: { method: string }, handler: Handler) =>
        (registered = { method: type.method, handler }),
    };
    const settings = { get: async () => ({ ...DEFAULT_SETTINGS, maxFileSize }) };
    return new WasmViewFeature(connection as unknown as Connection, settings as unknown as SettingsStore);
  }

  before(async () => {
    wabt ??= await wabtFactory();
    small ??= wat(readFileSync(path.join(FIXTURES, 'small.wat'), 'utf8'));
    dir = mkdtempSync(path.join(tmpdir(), 'wasm-view-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    registered = undefined;
    maxFileSize = DEFAULT_SETTINGS.maxFileSize;
  });

  it('registers the request and answers with the disassembly, keeping the view for findings', async () => {
    const file = path.join(dir, 'add.wasm');
    const bytes = wat(
      '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))',
    );
    writeFileSync(file, bytes);
    const view = feature();
    const updated: string[] = [];
    view.onDidUpdateView((uri) => updated.push(uri));
    assert.equal(registered?.method, 'wasmWarden/wasmText');
    const uri = pathToFileURL(file).href;
    const answer = await registered!.handler({ uri });
    assert.deepEqual(answer, { kind: 'module', text: disassemble(bytes).text, omittedLines: 0 });
    assert.equal(view.viewFor(uri)?.text, answer.text);
    assert.deepEqual(updated, [uri]);
    await registered!.handler({ uri }); // unchanged on disk: the kept view answers, no update
    assert.deepEqual(updated, [uri]);
  });

  it('reads the file again when it changes on disk', async () => {
    const file = path.join(dir, 'changing.wasm');
    writeFileSync(file, wat('(module (func i32.const 1 drop))'));
    feature();
    const uri = pathToFileURL(file).href;
    assert.match((await registered!.handler({ uri })).text, /i32\.const 1\n/);
    writeFileSync(file, wat('(module (func i32.const 22 drop nop))'));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    assert.match((await registered!.handler({ uri })).text, /i32\.const 22\n/);
  });

  it('says why instead of showing text: missing file, too large, not a file URI, malformed', async () => {
    feature();
    const missing = await registered!.handler({ uri: pathToFileURL(path.join(dir, 'gone.wasm')).href });
    assert.equal(missing.kind, 'unreadable');
    assert.match(missing.text, /^;; Cannot read .*gone\.wasm: ENOENT/);

    const file = path.join(dir, 'big.wasm');
    writeFileSync(file, small);
    maxFileSize = 10;
    const big = await registered!.handler({ uri: pathToFileURL(file).href });
    assert.equal(big.kind, 'too-large');
    assert.match(
      big.text,
      /^;; This file is 0\.0 MB, larger than the limit of 0\.0 MB set by wasmWarden\.maxFileSize/,
    );

    const remote = await registered!.handler({ uri: 'untitled:Untitled-1' });
    assert.equal(remote.kind, 'unreadable');

    maxFileSize = DEFAULT_SETTINGS.maxFileSize;
    const broken = path.join(dir, 'broken.wasm');
    writeFileSync(broken, small.subarray(0, 0x7b));
    const answer = await registered!.handler({ uri: pathToFileURL(broken).href });
    assert.equal(answer.kind, 'module');
    assert.equal(
      answer.error,
      'section size 32 of the code section runs past the end of the module (18 bytes left) (at byte 0x68)',
    );
  });

  it('stops when the request is cancelled', async () => {
    const file = path.join(dir, 'large.wasm');
    writeFileSync(file, wat(`(module (memory 1) (data (i32.const 0) "${'\\00'.repeat(300_000)}"))`));
    const view = feature();
    const uri = pathToFileURL(file).href;
    const answer = await registered!.handler({ uri }, { isCancellationRequested: true });
    assert.equal(answer.text, ';; The request was cancelled.\n');
    assert.equal(view.viewFor(uri), undefined);
  });
});
