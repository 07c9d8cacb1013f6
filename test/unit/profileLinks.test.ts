/**
 * The profile's links in the sandbox report panel: each function opens at its `(func` line in the
 * `.wasm` view (the disassembly of the module) or in the `.wat` source.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { functionLine, profileLinkKind } from '../../client/src/sandbox/profileLinks';
import { disassemble } from '../../server/src/core/disasm/disassemble';
import { compileWat } from '../../server/src/core/wat/compile';

const source = path.resolve(__dirname, '../../../test/fixtures/metering/callees.wat');

describe('profile links', () => {
  const wat = fs.readFileSync(source, 'utf8');
  const watLines = wat.split('\n');

  it('opens a .wasm in its view and a .wat as itself', () => {
    assert.equal(profileLinkKind('/m/app.wasm'), 'wasm-view');
    assert.equal(profileLinkKind('/m/APP.WASM'), 'wasm-view');
    assert.equal(profileLinkKind('/m/app.wat'), 'source');
  });

  it('finds every function of the disassembly by its index, whatever it is called', async () => {
    const compiled = await compileWat(wat);
    assert.ok('bytes' in compiled && compiled.bytes);
    const view = disassemble(compiled.bytes);
    const lines = view.text.split('\n');
    for (let index = 1; index <= 10; index++) {
      const line = functionLine(view.text, { index, name: `func[${index}]` }, 'wasm-view');
      assert.ok(line !== undefined, `function ${index}`);
      // named after an export: `(func $main (;7;)`; unnamed: `(func $func1`
      assert.match(lines[line], new RegExp(`^\\s*\\(func (.*\\(;${index};\\)|\\$func${index} )`));
    }
    assert.equal(functionLine(view.text, { index: 99, name: 'none' }, 'wasm-view'), undefined);
    // `$func1` is function 1, not 10 or 11
    assert.match(lines[functionLine(view.text, { index: 1, name: 'leaf' }, 'wasm-view')!], /\$func1 /);
  });

  it('finds a .wat function by its $name, by its inline export, or by its index', () => {
    const at = (index: number, name: string): string => {
      const line = functionLine(wat, { index, name }, 'source');
      assert.ok(line !== undefined, name);
      return watLines[line];
    };
    assert.match(at(2, 'fact'), /\(func \$fact /);
    // `$main` but not `$mid`, `$leaf` or a longer name starting the same
    assert.match(at(7, 'main'), /\(func \$main /);
    assert.match(at(9, 'spin_under'), /\(export "spin_under"\)/);
    // no name from the module (a stripped name section): the index counts the import first
    assert.match(at(10, 'func[10]'), /\(export "quit"\)/);
    assert.match(at(1, 'func[1]'), /\(func \$leaf /);
    assert.equal(functionLine(wat, { index: 40, name: 'func[40]' }, 'source'), undefined);
  });
});
