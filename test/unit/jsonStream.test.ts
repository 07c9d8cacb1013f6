/**
 * The streamed JSON of `inspect --json` must be byte for byte `JSON.stringify(value, null, 2)`,
 * written in chunks, and must print data segments from their table without building them.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFactsJson } from '../../server/src/cli/inspect/json';
import { LazyList, writeJson, type JsonStreamOptions } from '../../server/src/cli/jsonStream';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { copyFacts, dataSegmentTable } from '../../server/src/core/module/lazyDataSegments';
import { componentWrapping } from '../support/wasmBytes';
import { realWorldModule } from '../support/realWorldModules';
import { wat2wasm } from './rules/helpers';

function streamed(value: unknown, options: JsonStreamOptions = {}): { text: string; writes: number } {
  let text = '';
  let writes = 0;
  writeJson(
    value,
    (chunk) => {
      text += chunk;
      writes++;
    },
    options,
  );
  return { text, writes };
}

const TRICKY: unknown[] = [
  null,
  0,
  -1.5e-7,
  NaN,
  Infinity,
  'a "quoted"\n\u2028 string \u0000',
  true,
  [],
  {},
  [[], {}, [[[]]]],
  { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
  { onlySkipped: undefined },
  [undefined, () => 1, Symbol('s'), 2],
  { date: new Date(0), boxed: [new Number(3), new String('s'), new Boolean(false)] },
  { toJSON: (key: string) => `key=${key}` },
  { nested: { deeper: { list: [1, { x: [2, 3] }, 'z'], empty: [] } }, after: 'end' },
  Array.from({ length: 2500 }, (_, i) => (i % 3 ? { i, s: `v${i}`, inner: { l: [i] } } : i)),
];

describe('streamed JSON', () => {
  it('prints what JSON.stringify(value, null, 2) prints, walked or batched natively', () => {
    for (const value of TRICKY) {
      const expected = JSON.stringify(value, null, 2);
      assert.equal(streamed(value).text, expected ?? '', JSON.stringify(value)?.slice(0, 80));
      for (const walk of [() => false, () => true, (v: object) => !Array.isArray(v)])
        assert.equal(streamed(value, { walk }).text, expected ?? '');
      // A value nested deeper goes through the indentation of native batches at every depth.
      const deep = { a: [{ b: { c: [value, value] } }] };
      assert.equal(streamed(deep, { walk: (v) => v === deep }).text, JSON.stringify(deep, null, 2));
    }
  });

  it('writes in chunks of about the asked size', () => {
    const value = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const { text, writes } = streamed(value, { chunk: 4096 });
    assert.equal(text, JSON.stringify(value, null, 2));
    assert.ok(writes > 10, `${writes} writes`);
  });

  it('prints supplied rows in place of a property it never reads, and a LazyList row by row', () => {
    const made: number[] = [];
    const holder = {
      before: 1,
      get hidden(): never {
        throw new Error('read the property the rows stand for');
      },
      list: new LazyList(3, (i) => {
        made.push(i);
        return { row: i };
      }),
    };
    const rows = (_: object, key: string) => (key === 'hidden' ? new LazyList(2, (i) => [i]) : undefined);
    const { text } = streamed(holder, { rows, walk: (v) => v === holder });
    assert.equal(
      text,
      JSON.stringify({ before: 1, hidden: [[0], [1]], list: [{ row: 0 }, { row: 1 }, { row: 2 }] }, null, 2),
    );
    assert.deepEqual(made, [0, 1, 2]);
    // Printed natively (not walked), a LazyList is still the list of its rows.
    assert.equal(
      streamed({ list: new LazyList(1, () => 'x') }, { walk: () => false }).text,
      '{\n  "list": [\n    "x"\n  ]\n}',
    );
  });

  it('prints a module and a component nesting it as JSON.stringify does, data segments left unbuilt', async () => {
    const core = await wat2wasm(`(module
      (memory 1)
      (data (i32.const 16) "one \\"quoted\\"")
      (data "passive")
      (data (i32.const 0x7fffffff) "high")
      (func (export "f") (result i32) i32.const 1))`);
    for (const bytes of [core, componentWrapping(core, ['wasi:cli/environment@0.2.3'])]) {
      const facts = readBinaryModule(bytes);
      const holders = [facts, ...(facts.modules ?? [])].filter((m) => m.kind === 'module');
      const body = copyFacts(facts, { problems: [] }, { file: 'm.wasm', size: bytes.length });
      let text = '';
      writeFactsJson(body, (chunk) => (text += chunk));
      for (const m of [...holders, body].filter((m) => m.kind === 'module'))
        assert.ok(dataSegmentTable(m), 'the segments were not built');
      assert.equal(text, JSON.stringify(body, null, 2));
      assert.equal(JSON.parse(text).kind, facts.kind);
    }
  });

  it("prints esbuild-wasm's 98,450 data segments as JSON.stringify does", async function () {
    this.timeout(120_000);
    const bytes = readFileSync(await realWorldModule('esbuild-wasm'));
    const facts = readBinaryModule(bytes);
    const body = copyFacts(facts, {}, { file: 'esbuild.wasm' });
    const chunks: string[] = [];
    writeFactsJson(body, (chunk) => chunks.push(chunk));
    assert.ok(dataSegmentTable(body), 'the segments were not built');
    assert.equal(chunks.join(''), JSON.stringify(body, null, 2));
  });
});
