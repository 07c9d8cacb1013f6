import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { disassemble } from '../../server/src/core/disasm/disassemble';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };
type Location = { uri: string; range: Range };
type DocumentSymbol = { name: string; detail?: string; kind: number; children?: DocumentSymbol[] };
type Item = { name: string; uri: string; data?: unknown };

const WAT = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/reach/reach.wat'), 'utf8');
const VIEW = disassemble(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/reach/reach.wasm'))).text;

/** The position of the `n`th occurrence of `needle` (plus `shift` characters). */
function at(text: string, needle: string, n = 0, shift = 1): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= n; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, needle);
  const before = text.slice(0, offset + shift);
  const line = before.split('\n').length - 1;
  return { line, character: offset + shift - before.lastIndexOf('\n') - 1 };
}
const textOf = (text: string, r: Range) =>
  text.split('\n')[r.start.line].slice(r.start.character, r.end.character);

describe('navigation over LSP (.wat and the .wasm view)', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-nav-'));
    client = new LspTestClient();
    const init = await client.initialize(root);
    for (const c of [
      'definitionProvider',
      'referencesProvider',
      'documentSymbolProvider',
      'workspaceSymbolProvider',
      'callHierarchyProvider',
    ])
      assert.ok(init.capabilities[c], c);
  });
  after(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const cases = [
    { kind: '.wat', uri: () => pathToFileURL(path.join(root, 'reach.wat')).href, text: WAT },
    { kind: '.wasm view', uri: () => 'wasm-warden:/reach.wasm.wat', text: VIEW },
  ];
  for (const c of cases) {
    describe(c.kind, () => {
      before(() => client.open(c.uri(), c.text));
      const request = <T>(method: string, params: Record<string, unknown>) =>
        client.connection.sendRequest<T>(method, { textDocument: { uri: c.uri() }, ...params });

      it('goes to the definition of a function, a local and a label', async () => {
        const fn = await request<Location>('textDocument/definition', {
          position: at(c.text, 'call $log', 0, 6),
        });
        assert.equal(fn.uri, c.uri());
        assert.equal(textOf(c.text, fn.range), '$log');
        assert.equal(fn.range.start.line, at(c.text, '(func $log').line);
        // The parameter of $log, by index in the .wat and by $id in the view.
        const local = await request<Location>('textDocument/definition', {
          position: at(c.text, 'local.get', 2, 10),
        });
        assert.equal(local.range.start.line, at(c.text, '(func $log').line);
        assert.equal(textOf(c.text, local.range), c.kind === '.wat' ? 'i32' : '$var0');
      });

      it('lists the call sites of an import as its references', async () => {
        const refs = await request<Location[]>('textDocument/references', {
          position: at(c.text, '$sock_send'),
          context: { includeDeclaration: false },
        });
        assert.equal(refs.length, 1);
        assert.equal(refs[0].range.start.line, at(c.text, 'call $sock_send').line);
        const recursion = await request<Location[]>('textDocument/references', {
          position: at(c.text, '(func $even', 0, 7),
          context: { includeDeclaration: true },
        });
        assert.ok(recursion.some((r) => r.range.start.line === at(c.text, 'return_call $even').line));
      });

      it('gives the Outline: imports with module.name, functions, tables, memory', async () => {
        const symbols = await request<DocumentSymbol[]>('textDocument/documentSymbol', {});
        const fns = symbols.filter((s) => s.kind === 12);
        assert.equal(fns.length, 20);
        assert.deepEqual(
          fns.slice(0, 2).map((s) => [s.name, s.detail]),
          [
            ['$sock_send', 'import wasi_snapshot_preview1.sock_send'],
            ['$fd_write', 'import wasi_snapshot_preview1.fd_write'],
          ],
        );
        assert.ok(symbols.some((s) => s.name === '$internal'));
      });

      it('answers the call hierarchy: who calls $log, what $even calls', async () => {
        const [item] = await request<Item[]>('textDocument/prepareCallHierarchy', {
          position: at(c.text, '(func $log', 0, 7),
        });
        assert.equal(item.name, '$log');
        const incoming = await client.connection.sendRequest<Array<{ from: Item }>>(
          'callHierarchy/incomingCalls',
          { item },
        );
        assert.deepEqual(
          incoming.map((i) => i.from.name),
          ['$parse'],
        );
        const outgoing = await client.connection.sendRequest<Array<{ to: Item }>>(
          'callHierarchy/outgoingCalls',
          { item },
        );
        assert.deepEqual(
          outgoing.map((o) => o.to.name),
          ['$sock_send'],
        );
        const [even] = await request<Item[]>('textDocument/prepareCallHierarchy', {
          position: at(c.text, '(func $even', 0, 7),
        });
        const out = await client.connection.sendRequest<Array<{ to: Item }>>('callHierarchy/outgoingCalls', {
          item: even,
        });
        assert.deepEqual(out.map((o) => o.to.name).sort(), ['$odd', '$via_recursion']);
      });
    });
  }

  describe('workspace', () =>
    it('finds symbols across the open modules', async () => {
      const found = await client.connection.sendRequest<Array<{ name: string; location: Location }>>(
        'workspace/symbol',
        { query: 'dispatch' },
      );
      // The function in both modules, and the view's (export "dispatch") field.
      assert.deepEqual(found.map((s) => s.name).sort(), ['$dispatch', '$dispatch', 'dispatch']);
      assert.equal(new Set(found.map((s) => s.location.uri)).size, 2);
    }));
});
