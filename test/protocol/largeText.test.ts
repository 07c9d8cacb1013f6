import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import wabtFactory from 'wabt';
import {
  WasmTextProgressNotification,
  WasmTextRequest,
  type WasmTextProgressParams,
  type WasmTextResult,
} from '../../server/src/protocol/wasmView';
import { LspTestClient } from '../support/lspClient';

/** A large valid module: `functions` small functions (about 60 bytes of text each). */
function largeModule(functions: number): string {
  const body = (i: number) =>
    `  (func $f${i} (param i32) (result i32) (i32.add (local.get 0) (i32.const ${i})))\n`;
  return `(module\n${Array.from({ length: functions }, (_, i) => body(i)).join('')})\n`;
}

describe('a large .wat never holds up other files', function () {
  this.timeout(120_000);
  let client: LspTestClient;

  beforeEach(() => {
    client = new LspTestClient();
  });
  afterEach(() => client.kill());

  it('a small file opened after a large one gets its diagnostics; closing the large one clears it', async () => {
    let progressCreated = 0;
    // The client says it shows progress, so the server may ask for it on the large file.
    await client.initialize(undefined, { window: { workDoneProgress: true } });
    client.connection.onRequest('window/workDoneProgress/create', () => {
      progressCreated++;
      return null;
    });
    const large = 'file:///tmp/large.wat';
    await client.open(large, largeModule(60_000)); // ~4.5 MB
    const small = 'file:///tmp/small.wat';
    await client.open(small, '(module (func (result i32) (i64.const 1)))');
    const smallDiagnostics = await client.waitForDiagnostics(small, (d) => d.diagnostics.length > 0);
    assert.equal(smallDiagnostics.diagnostics[0].code, 'invalid-module');
    // the large one is valid, so once its analysis completes it publishes no findings
    await client.waitForDiagnostics(large, (d) => d.version === 1 && d.diagnostics.length === 0);
    assert.ok(progressCreated >= 1, 'progress was shown for the large file');

    // edit the large file to an invalid version and close it right away: its work is dropped
    await client.change(large, 2, largeModule(60_000).replace('(i32.const 5)', '(i64.const 5)'));
    await client.close(large);
    await client.waitForDiagnostics(large, (d) => d.diagnostics.length === 0 && d.version === undefined);
    // and the server keeps serving the small file
    await client.change(small, 2, '(module (func (result i32) (i32.const 1)))');
    const fixed = await client.waitForDiagnostics(small, (d) => d.version === 2);
    assert.deepEqual(fixed.diagnostics, []);
  });
});

describe('the .wasm text view over stdio', function () {
  this.timeout(120_000);
  let client: LspTestClient;
  let dir: string;

  beforeEach(() => {
    client = new LspTestClient();
    dir = mkdtempSync(path.join(tmpdir(), 'warden-view-'));
  });
  afterEach(() => {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the first lines of a large module before the whole text, which starts with them', async () => {
    await client.initialize();
    const firstLines: WasmTextProgressParams[] = [];
    client.connection.onNotification(WasmTextProgressNotification.method, (p: WasmTextProgressParams) => {
      firstLines.push(p);
    });
    const file = path.join(dir, 'large.wasm');
    const wabt = await wabtFactory();
    const parsed = wabt.parseWat('large.wat', largeModule(20_000));
    writeFileSync(file, parsed.toBinary({}).buffer);
    parsed.destroy();
    const uri = pathToFileURL(file).href;
    const whole = await client.connection.sendRequest<WasmTextResult>(WasmTextRequest.method, { uri });
    assert.equal(whole.kind, 'module');
    assert.equal(firstLines.length, 1);
    assert.equal(firstLines[0].uri, uri);
    assert.equal(firstLines[0].firstLines.split('\n').length, 1_001);
    assert.ok(whole.text.startsWith(firstLines[0].firstLines));
  });

  it('a hostile 15-byte module gives a located note, and the server keeps answering', async () => {
    await client.initialize();
    const file = path.join(dir, 'hostile.wasm');
    writeFileSync(
      file,
      Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 3, 5, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    );
    const uri = pathToFileURL(file).href;
    const view = await client.connection.sendRequest<WasmTextResult>(WasmTextRequest.method, { uri });
    assert.equal(view.error, 'count 4294967295 is larger than the remaining 0 bytes allow (at byte 0xa)');
    await client.open('file:///tmp/after.wat', '(module (func (result i32) (i64.const 1)))');
    const after = await client.waitForDiagnostics('file:///tmp/after.wat', (d) => d.diagnostics.length > 0);
    assert.equal(after.diagnostics[0].code, 'invalid-module');
  });
});

describe('rapid edits across many .wat documents', function () {
  this.timeout(180_000);
  let client: LspTestClient;
  afterEach(() => client.kill());

  it('every document gets diagnostics for its last version and every hover is answered', async () => {
    client = new LspTestClient();
    await client.initialize();
    const DOCUMENTS = 20;
    const EDITS = 300;
    let seed = 5;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const base = '(module\n  (memory 1)\n  (func $f (export "f") (result i32) (i32.const 1)))\n';
    const mutate = (text: string) => {
      const at = next(text.length);
      const insert = ['(', ')', '$', ' ', '1', 'i', '(block '][next(7)];
      return next(3) === 0
        ? text.slice(0, at) + text.slice(at + 1)
        : text.slice(0, at) + insert + text.slice(at);
    };
    const texts: string[] = [];
    const versions: number[] = [];
    const uri = (d: number) => `file:///tmp/edits/doc${d}.wat`;
    for (let d = 0; d < DOCUMENTS; d++) {
      texts.push(mutate(base));
      versions.push(1);
      await client.open(uri(d), texts[d]);
    }
    const hovers: Array<Promise<unknown>> = [];
    for (let i = 0; i < EDITS; i++) {
      const d = next(DOCUMENTS);
      texts[d] = mutate(texts[d]);
      void client.change(uri(d), ++versions[d], texts[d]);
      if (i % 10 === 0)
        hovers.push(
          client.connection.sendRequest('textDocument/hover', {
            textDocument: { uri: uri(d) },
            position: { line: 1, character: 4 },
          }),
        );
    }
    await Promise.all(hovers); // each answered (null or a hover), none left hanging
    for (let d = 0; d < DOCUMENTS; d++)
      await client.waitForDiagnostics(uri(d), (p) => p.version === versions[d], 120_000);
  });
});
