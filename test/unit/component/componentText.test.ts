/**
 * The `.wasm` view of a component: its text as `wasm-tools print` writes it (checked line by line
 * against wasm-tools, core module bodies aside, which the core disassembler prints), findings
 * placed on the lines of the entries they point into, and malformed bytes noted, never thrown.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_COMPONENT_LINES } from '../../../server/src/core/disasm/componentText';
import { disassemble, lineForOffset, type WasmTextView } from '../../../server/src/core/disasm/disassemble';
import { encodeVarUint32 } from '../../../server/src/core/module/byteReader';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import { seededRandom } from '../../support/seededRandom';
import { realWorldPaths } from '../../support/realWorldFiles';
import { wasmTools } from '../../support/wasmTools';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'components');

/**
 * The component-level lines of a printout: the lines inside each `(core module (;n;)` block are left
 * out (the core disassembler's style differs from wasm-tools'), and so are comments and custom
 * sections, which wasm-tools prints as annotations.
 */
function componentLines(text: string): string[] {
  const out: string[] = [];
  let skipUntil: string | null = null;
  for (const line of text.split('\n')) {
    if (skipUntil !== null) {
      if (line === skipUntil) skipUntil = null;
      continue;
    }
    const body = line.trimStart();
    const indent = line.slice(0, line.length - body.length);
    if (/^\(core module \(;\d+;\)$/.test(body)) {
      out.push(line);
      skipUntil = `${indent})`;
    } else if (body.startsWith('(@')) skipUntil = `${indent})`;
    else if (!body.startsWith(';;') && line !== '') out.push(line);
  }
  return out;
}

/** The component without its top-level `component-name` section, so wasm-tools prints indices. */
function withoutNames(bytes: Uint8Array): Uint8Array {
  const facts = readBinaryModule(bytes);
  const names = facts.sections!.find((s) => s.id === 0 && s.name === 'component-name');
  if (!names) return bytes;
  return Uint8Array.from([...bytes.subarray(0, names.offset), ...bytes.subarray(names.offset + names.size)]);
}

function lineStarting(view: WasmTextView, prefix: string): number {
  const n = view.text.split('\n').findIndex((l) => l.startsWith(prefix));
  assert.ok(n >= 0, `a line starting ${JSON.stringify(prefix)}`);
  return n;
}

describe('component text (the .wasm view of a component)', function () {
  this.timeout(120_000);

  describe('a component using every printed section, built from text by wasm-tools', () => {
    let bytes: Uint8Array;
    let view: WasmTextView;
    before(async () => {
      const tools = await wasmTools();
      bytes = withoutNames(await tools.parse(readFileSync(join(FIXTURES, 'printed.wat'), 'utf8')));
      view = disassemble(bytes);
    });

    it('prints what wasm-tools print prints, line for line', async () => {
      assert.equal(view.kind, 'component');
      assert.equal(view.error, undefined);
      const reference = await (await wasmTools()).print(bytes);
      assert.deepEqual(componentLines(view.text), componentLines(reference));
    });

    it('prints the nested core module with the core disassembler, labelled as a core module', () => {
      const at = lineStarting(view, '  (core module (;0;)');
      assert.match(view.text.split('\n')[at + 1], /^ {4}\(type /);
    });

    it('places each entry on its line: imports, types inside an instance type, canonical functions', () => {
      const facts = readBinaryModule(bytes);
      for (const imp of facts.components!.imports) {
        assert.equal(imp.location.kind, 'binary');
        const line = view.text.split('\n')[lineForOffset(view, imp.location.offset + 2)];
        assert.ok(line.startsWith(`  (import ${JSON.stringify(imp.name)}`), line);
      }
      // the constructor's declaration inside the local:foo/bar instance type
      const name = Buffer.from('[constructor]thing');
      const at = Buffer.from(bytes).indexOf(name);
      assert.ok(at > 0);
      assert.match(
        view.text.split('\n')[lineForOffset(view, at)],
        /^ {6}\(export \(;\d+;\) "\[constructor\]thing" \(func \(type \d+\)\)\)$/,
      );
    });

    it('line offsets never decrease', () => {
      for (let i = 1; i < view.lines.length; i++) assert.ok(view.lines[i].offset >= view.lines[i - 1].offset);
      assert.equal(view.lines.length, view.text.split('\n').length - 1);
    });

    it('malformed bytes anywhere give a located note and a closed text, never an exception', () => {
      const random = seededRandom(20);
      for (let round = 0; round < 400; round++) {
        const mutated = Uint8Array.from(bytes);
        const at = 8 + random(bytes.length - 8);
        mutated[at] = random(256);
        const result = disassemble(mutated);
        assert.equal(result.lines.length, result.text.split('\n').length - 1);
        assert.match(result.text, /\n\)\n$/, `closed after a change at ${at}`);
        if (result.error) {
          assert.doesNotMatch(result.error.message, /could not/, `at ${at}: ${result.error.message}`);
          assert.ok(result.error.offset <= mutated.length);
        }
      }
      for (let end = 9; end < bytes.length; end += 7) {
        // a cut between sections leaves a shorter component; anywhere else, a located error
        const result = disassemble(bytes.subarray(0, end));
        assert.match(result.text, /\n\)\n$/);
        if (result.error) assert.doesNotMatch(result.error.message, /could not/, `truncated at ${end}`);
      }
    });

    it('a count larger than the section allows is an error at the count', () => {
      const facts = readBinaryModule(bytes);
      const types = facts.sections!.find((s) => s.id === 7)!;
      const mutated = Uint8Array.from(bytes);
      mutated[types.payloadOffset] = 0x7f; // 127 types in a few bytes
      const result = disassemble(mutated);
      assert.deepEqual(result.error?.offset, types.payloadOffset);
      assert.match(result.error!.message, /count 127 is larger than the remaining/);
      assert.match(
        result.text,
        new RegExp(`;; error at byte 0x${types.payloadOffset.toString(16)}: count 127`),
      );
      // printing goes on after the broken section
      assert.match(result.text, /\(export \(;\d+;\) "lifted"/);
    });
  });

  it('keeps a component of a million one-byte types to a bounded view, with a note', () => {
    const n = MAX_COMPONENT_LINES + 50_000;
    const payload = [...encodeVarUint32(n), ...new Array<number>(n).fill(0x7f)]; // n × `bool`
    const bytes = Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
      0x07,
      ...encodeVarUint32(payload.length),
      ...payload,
    ]);
    const view = disassemble(bytes);
    assert.equal(view.error, undefined);
    assert.ok(view.lines.length <= MAX_COMPONENT_LINES + 3, `${view.lines.length} lines`);
    assert.match(view.text, /^ {2}\(type \(;0;\) bool\)$/m);
    assert.match(view.text, /;; 50,000 more lines of this section are not shown/);
  });

  describe('the jco 0.14.2 wasm-tools component', () => {
    it('prints what wasm-tools print prints, core module bodies aside', async () => {
      const paths = await realWorldPaths((id) => id === 'wasm-tools-component');
      const bytes = readFileSync(paths['wasm-tools-component']);
      const view = disassemble(bytes);
      assert.equal(view.error, undefined);
      const reference = await (await wasmTools()).print(bytes);
      const lines = componentLines(view.text);
      assert.ok(lines.length > 600, `${lines.length} component-level lines`);
      assert.deepEqual(lines, componentLines(reference));
    });
  });
});
