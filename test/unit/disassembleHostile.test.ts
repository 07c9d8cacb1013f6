import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { disassemble, type WasmTextView } from '../../server/src/core/disasm/disassemble';
import { nameSectionFits } from '../../server/src/core/disasm/saneInput';
import { BoundedWorkers } from '../../server/src/workers/boundedWorkers';
import { DisassemblyThread } from '../../server/src/features/disasm/thread';

const repo = path.resolve(__dirname, '..', '..', '..');
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const MAX_U32 = [0xff, 0xff, 0xff, 0xff, 0x0f];
const NAME = [0x04, 0x6e, 0x61, 0x6d, 0x65]; // "name"

/** A 15-byte module: one section `id` whose only content is a count of 0xFFFFFFFF. */
function hugeCount(id: number): Uint8Array {
  return Uint8Array.from([...HEADER, id, 0x05, ...MAX_U32]);
}

/** A module with a `name` section holding one subsection `sub` whose count is 0xFFFFFFFF. */
function hugeNameCount(sub: number): Uint8Array {
  return Uint8Array.from([...HEADER, 0x00, 0x0c, ...NAME, sub, 0x05, ...MAX_U32]);
}

/** () -> () functions; the last body declares 0xFFFFFFFF locals of i32. */
const HUGE_LOCALS = Uint8Array.from([
  ...HEADER,
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type section: one func type () -> ()
  ...[0x03, 0x03, 0x02, 0x00, 0x00], // function section: two functions of type 0
  ...[0x0a, 0x0d, 0x02], // code section: two bodies
  ...[0x02, 0x00, 0x0b], // body 0: no locals, end
  ...[0x08, 0x01, ...MAX_U32, 0x7f, 0x0b], // body 1: 0xFFFFFFFF locals of i32, end
]);

function assertWellFormed(view: WasmTextView): void {
  assert.equal(view.lines.length, view.text.split('\n').length - 1, 'one offset per line');
  assert.ok(view.text.endsWith('\n'));
}

describe('disassemble: hostile tiny modules never spin, balloon or throw', function () {
  // Before the bounded pre-read each of these spun for minutes and then aborted the process.
  this.timeout(20_000);

  for (const [name, id] of [
    ['function', 3],
    ['memory', 5],
    ['type', 1],
    ['import', 2],
    ['table', 4],
    ['global', 6],
    ['export', 7],
    ['element', 9],
    ['code', 10],
    ['data', 11],
    ['tag', 13],
  ] as const) {
    it(`a ${name} section with a count of 0xFFFFFFFF (15 bytes) gives a located note`, () => {
      const bytes = hugeCount(id);
      assert.equal(bytes.length, 15);
      const view = disassemble(bytes);
      assertWellFormed(view);
      assert.deepEqual(view.error, {
        message: 'count 4294967295 is larger than the remaining 0 bytes allow',
        offset: 10,
      });
      assert.match(view.text, /;; error: cannot disassemble further at byte 0xa: count 4294967295/);
      assert.ok(view.text.startsWith('(module\n'), view.text);
    });
  }

  for (const [name, sub] of [
    ['module', 0],
    ['function', 1],
    ['local', 2],
    ['label', 3],
    ['type', 4],
    ['global', 7],
    ['field', 10],
    ['tag', 11],
  ] as const) {
    it(`a name subsection (${name}) with a count of 0xFFFFFFFF is ignored, not read`, () => {
      const bytes = hugeNameCount(sub);
      const view = disassemble(bytes);
      assertWellFormed(view);
      assert.equal(view.error, undefined);
      assert.match(view.text, /;; custom section "name" at 0x8, 14 bytes/);
      assert.equal(nameSectionFits(bytes, 14, bytes.length), false);
    });
  }

  it('a sane name section still names functions', () => {
    // (module (func $hello)) with a name section: function 0 is "hello"
    const bytes = Uint8Array.from([
      ...[...HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00],
      ...[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b],
      ...[0x00, 0x0f, ...NAME, 0x01, 0x08, 0x01, 0x00, 0x05, ...Buffer.from('hello')],
    ]);
    assert.equal(nameSectionFits(bytes, 31, bytes.length), true);
    const view = disassemble(bytes);
    assert.equal(view.error, undefined);
    assert.match(view.text, /\(func \$hello/);
  });

  it('a body declaring 0xFFFFFFFF locals: the bodies before it print, the note points at it', () => {
    const view = disassemble(HUGE_LOCALS);
    assertWellFormed(view);
    assert.deepEqual(view.error, {
      message: 'function 1: declares more than 50,000 locals, more than engines allow',
      offset: 26,
    });
    const text = view.text.split('\n');
    assert.ok(
      text.some((l) => l.startsWith('  (func $func0')),
      view.text,
    );
    assert.ok(!text.some((l) => l.startsWith('  (func $func1')), view.text);
    assert.ok(text.length < 20);
  });

  it('mutations of a small module: every result is a view, each within the time a test allows', () => {
    // A seeded sweep over byte edits of a valid module, including the 0xFFFFFFFF count at every place.
    const base = [...HUGE_LOCALS.slice(0, 20), 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b];
    assert.equal(disassemble(Uint8Array.from(base)).error, undefined, 'the base module is valid');
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let i = 0; i < 2_000; i++) {
      const bytes = [...base];
      const at = 8 + next(bytes.length - 8);
      if (i % 3 === 0) bytes.splice(at, 1, ...MAX_U32);
      else bytes[at] = next(256);
      assertWellFormed(disassemble(Uint8Array.from(bytes)));
    }
  });
});

describe('the disassembly worker (dist/disasm-worker.js)', function () {
  this.timeout(60_000);
  const script = path.join(repo, 'dist', 'disasm-worker.js');

  it('gives the same view as disassembling in place, hostile inputs included', async function () {
    const thread = DisassemblyThread.create(script);
    if (!thread) this.skip(); // dist/ not built; npm test builds it first
    try {
      for (const bytes of [hugeCount(3), hugeNameCount(1), HUGE_LOCALS]) {
        const expected = disassemble(bytes);
        const got = await thread.disassemble(bytes.slice(), 'file:///x.wasm');
        assert.deepEqual(got, expected);
      }
    } finally {
      thread.dispose();
    }
  });

  it('a job over its time limit ends as a located "could not disassemble" view; the next job works', async function () {
    const thread = DisassemblyThread.create(script, 1);
    if (!thread) this.skip();
    try {
      // 4 MB of data segment: far more than 1 ms of printing
      const data = new Uint8Array(4 << 20);
      const segment = [0x00, 0x41, 0x00, 0x0b, 0x80, 0x80, 0x80, 0x02]; // memory 0, offset 0, size 4 MiB
      const head = [...HEADER, 0x05, 0x03, 0x01, 0x00, 0x41]; // memory section: min 65
      const sectionSize = 1 + segment.length + data.length;
      const size = [0x80 | (sectionSize & 0x7f), 0x80 | ((sectionSize >> 7) & 0x7f), sectionSize >> 14];
      const bytes = new Uint8Array(head.length + 2 + size.length + segment.length + data.length);
      bytes.set([...head, 0x0b, ...size, 0x01, ...segment]);
      const view = await thread.disassemble(bytes, 'file:///big.wasm');
      assert.equal(view?.kind, 'invalid');
      assert.match(
        view!.text,
        /^;; could not disassemble: it did not finish within 0 s; stopped near byte 0x/,
      );
      assert.equal(view!.lines.length, 1);
      assert.ok(view!.error);
    } finally {
      thread.dispose();
    }
  });

  it('a cancelled job gives null', async function () {
    const thread = DisassemblyThread.create(script);
    if (!thread) this.skip();
    try {
      const pending = thread.disassemble(hugeCount(3), 'file:///a.wasm');
      thread.cancel('file:///a.wasm');
      assert.equal(await pending, null);
      // and the worker that follows answers
      assert.equal((await thread.disassemble(hugeCount(5), 'file:///b.wasm'))?.error?.offset, 10);
    } finally {
      thread.dispose();
    }
  });
});

describe('bounded workers', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bounded-workers-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a worker that runs out of memory fails only its job, as a value; the next job gets a fresh worker', async () => {
    const script = path.join(dir, 'hungry.js');
    writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', ({ id, job }) => {
         if (job === 'eat') { const all = []; for (;;) all.push(new Array(100000).fill(job)); }
         parentPort.postMessage({ id, done: job + '!' });
       });`,
    );
    const workers = new BoundedWorkers<string, string>(script, { size: 1, timeLimitMs: 50_000, heapMb: 32 });
    try {
      const outcome = await workers.run('eat');
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok && outcome.reason === 'crashed', JSON.stringify(outcome));
      assert.match(!outcome.ok ? outcome.message : '', /out of memory|stopped/);
      assert.deepEqual(await workers.run('hello'), { ok: true, value: 'hello!' });
    } finally {
      workers.dispose();
    }
  });

  it('a job that never ends is stopped at its time limit', async () => {
    const script = path.join(dir, 'spin.js');
    writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', ({ id, job }) => {
         if (job === 'spin') for (;;);
         parentPort.postMessage({ id, done: job });
       });`,
    );
    const workers = new BoundedWorkers<string, string>(script, { size: 2, timeLimitMs: 5_000, heapMb: 64 });
    try {
      const [spun, other] = await Promise.all([workers.run('spin'), workers.run('quick')]);
      assert.equal(spun.ok, false);
      assert.ok(!spun.ok && spun.reason === 'timeout');
      assert.equal(!spun.ok && spun.message, 'it did not finish within 5 s');
      assert.deepEqual(other, { ok: true, value: 'quick' });
    } finally {
      workers.dispose();
    }
  });
});
