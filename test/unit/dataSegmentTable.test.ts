/**
 * A binary's data segments are read into a table and built as objects only when
 * `facts.dataSegments` is read: the objects must be what the reader used to push, and checking,
 * slimming or cloning the facts must not build them.
 */
import * as assert from 'node:assert/strict';
import { byteSpan } from '../../server/src/core/location';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { DataSegmentTable } from '../../server/src/core/module/dataSegmentTable';
import {
  copyFacts,
  dataSegmentTable,
  dataSegmentTotals,
} from '../../server/src/core/module/lazyDataSegments';
import type { DataSegmentFact, ModuleFacts } from '../../server/src/core/module/model';
import {
  binaryDataRegion,
  blockAt,
  contentBlocks,
  type DataRegion,
} from '../../server/src/core/rules/support/contents';
import { slimFacts } from '../../server/src/features/analysisCache';
import { checkBytes, ofRule, wat2wasm } from './rules/helpers';

const MODULE = `(module
  (import "env" "base" (global $base i32))
  (memory 1)
  (data (i32.const 16) "see https://collector.example.net/upload")
  (data "passive /home/alice/build/main.c")
  (data (global.get $base) "computed")
  (data (i32.const -1) ""))`;

/** The facts as plain data: what JSON, a hover or a test sees, with no table behind them. */
const plain = (facts: ModuleFacts): ModuleFacts => JSON.parse(JSON.stringify(facts)) as ModuleFacts;

const isLazy = (facts: ModuleFacts) => dataSegmentTable(facts) !== undefined;

describe('data segment table', () => {
  it('builds the facts the reader pushed: same fields, values and key order', () => {
    const table = new DataSegmentTable(0, 100); // less room than rows: it must grow
    table.add(10, 14, 3, 0, 16);
    table.add(17, 19, 2, undefined, undefined);
    table.add(21, 26, 4, 1, null);
    table.add(30, 40, 0, 0, 2 ** 40 + 1); // a memory64 offset past 2^32
    const expected: DataSegmentFact[] = [
      {
        index: 0,
        mode: 'active',
        size: 3,
        location: byteSpan(10, 7),
        contentOffset: 14,
        memoryIndex: 0,
        offset: 16,
      },
      { index: 1, mode: 'passive', size: 2, location: byteSpan(17, 4), contentOffset: 19 },
      {
        index: 2,
        mode: 'active',
        size: 4,
        location: byteSpan(21, 9),
        contentOffset: 26,
        memoryIndex: 1,
        offset: null,
      },
      {
        index: 3,
        mode: 'active',
        size: 0,
        location: byteSpan(30, 10),
        contentOffset: 40,
        memoryIndex: 0,
        offset: 2 ** 40 + 1,
      },
    ];
    assert.equal(JSON.stringify(table.facts()), JSON.stringify(expected));
    assert.deepEqual(table.facts(), expected);
    assert.deepEqual(table.totals(), { count: 4, passive: 1, bytes: 9 });
  });

  it('reads a module into the table and builds its segments on first read, in place', async () => {
    const facts = readBinaryModule(await wat2wasm(MODULE));
    assert.ok(isLazy(facts));
    const keys = Object.keys(facts);
    assert.deepEqual(dataSegmentTotals(facts), { count: 4, passive: 1, bytes: 80 });
    assert.ok(isLazy(facts), 'counting builds nothing');

    const segments = facts.dataSegments;
    assert.equal(isLazy(facts), false);
    assert.equal(facts.dataSegments, segments, 'built once, then a plain property');
    assert.deepEqual(Object.keys(facts), keys);
    assert.deepEqual(
      segments.map((d) => [d.index, d.mode, d.memoryIndex, d.offset, d.size]),
      [
        [0, 'active', 0, 16, 40],
        [1, 'passive', undefined, undefined, 32],
        [2, 'active', 0, null, 8],
        [3, 'active', 0, 0xffffffff, 0],
      ],
    );
    assert.deepEqual(
      segments.map((d) => Object.keys(d).join()),
      [
        'index,mode,size,location,contentOffset,memoryIndex,offset',
        'index,mode,size,location,contentOffset',
        'index,mode,size,location,contentOffset,memoryIndex,offset',
        'index,mode,size,location,contentOffset,memoryIndex,offset',
      ],
    );
  });

  it('checks a module without building its segments, with the findings of the built ones', async () => {
    const bytes = await wat2wasm(MODULE);
    const analysis = await checkBytes(bytes);
    const [facts] = analysis.facts;
    assert.ok(isLazy(facts), 'check built the data segments');
    assert.equal(ofRule(analysis, 'suspicious-data').length, 1);
    assert.equal(ofRule(analysis, 'debug-info').filter((f) => f.message.includes('/home/alice')).length, 1);

    // The rules' view of the contents is the same from the table as from the objects.
    const built = plain(readBinaryModule(bytes));
    const region = binaryDataRegion(facts, bytes)!;
    const builtRegion = binaryDataRegion(built, bytes)!;
    assert.ok(isLazy(facts));
    assert.deepEqual([region.start, region.bytes], [builtRegion.start, builtRegion.bytes]);
    const blocks = (r: DataRegion) =>
      Array.from(r.bytes, (_, i) => blockAt(r, r.start + i)).map((b) => b && Object.values(b).join());
    assert.deepEqual(blocks(region), blocks(builtRegion));
    const data = (f: ModuleFacts) =>
      contentBlocks(f, bytes, undefined, { data: true, custom: false }).map((b) => [
        b.label,
        b.index,
        Buffer.from(b.bytes).toString('latin1'),
        b.locate(1, 2),
      ]);
    assert.deepEqual(data(facts), data(built));
    assert.ok(isLazy(facts));
    assert.equal(JSON.stringify(facts), JSON.stringify(built));
  });

  it('gives each region its own text, whatever the size of the regions read before it', async () => {
    // The headers between segments are blanked in one reused buffer: a small region after a large
    // one must get exactly its bytes, and a text made before must not change.
    const moduleOf = (size: number, fill: string) =>
      wat2wasm(`(module (memory 1)
        (data (i32.const 0) "${fill.repeat(size)}")
        (data (i32.const 70000) "ab"))`);
    const regionOf = (bytes: Uint8Array) => binaryDataRegion(readBinaryModule(bytes), bytes)!;
    // What the text must be: the region's bytes with the header between the two segments as NUL.
    const expected = (bytes: Uint8Array) => {
      const region = regionOf(bytes);
      const [first, second] = contentBlocks(readBinaryModule(bytes), bytes, undefined, {
        data: true,
        custom: false,
      });
      const text = Buffer.from(region.bytes);
      text.fill(0, first.bytes.length, second.bytes.byteOffset - region.bytes.byteOffset);
      return text.toString('latin1');
    };
    const large = await moduleOf(60000, 'x');
    const small = await moduleOf(10, 'y');
    const largeText = regionOf(large).text();
    const smallText = regionOf(small).text();
    assert.equal(smallText.length, regionOf(small).bytes.length);
    assert.equal(smallText, expected(small));
    assert.ok(smallText.startsWith('y'.repeat(10)) && smallText.endsWith('ab'));
    assert.equal(largeText, expected(large));
    assert.equal(regionOf(large).text(), largeText);
  });

  it('slims, copies and clones facts without building their segments', async () => {
    const bytes = await wat2wasm(MODULE);
    const facts = readBinaryModule(bytes);
    const slim = slimFacts(facts);
    structuredClone(slim);
    assert.ok(isLazy(facts), 'slimming or cloning the slim facts built the data segments');
    assert.deepEqual(slim.dataSegments, []);

    const copy = copyFacts(facts, { functions: [] });
    assert.ok(isLazy(facts) && isLazy(copy));
    const spread = { ...plain(readBinaryModule(bytes)), functions: [] };
    assert.deepEqual(Object.keys(copy), Object.keys(spread));
    assert.equal(JSON.stringify(copy), JSON.stringify(spread));
  });
});
