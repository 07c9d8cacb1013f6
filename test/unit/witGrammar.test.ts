/**
 * The WIT grammar (syntaxes/wit.tmLanguage.json) on the WIT Wasm Warden decodes from a component
 * (test/fixtures/components/resources.wasm): the read-only world document VS Code highlights.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { loadGrammar, tokenize, type Token } from '../support/textmate';

const root = path.resolve(__dirname, '..', '..', '..');

describe('WIT TextMate grammar', () => {
  let tokens: Token[] = [];
  let wit = '';

  before(async () => {
    const facts = readBinaryModule(
      readFileSync(path.join(root, 'test', 'fixtures', 'components', 'resources.wasm')),
    );
    wit = `// a comment\n/* a block */\n${facts.components!.wit!}`;
    tokens = tokenize(await loadGrammar('source.wit', 'wit.tmLanguage.json'), wit);
  });

  const scopeOf = (text: string, nth = 0): string => {
    const found = tokens.filter((t) => t.text === text)[nth];
    assert.ok(found, `a token ${JSON.stringify(text)} in:\n${wit}`);
    return found.scopes.at(-1)!;
  };

  it('scopes comments, keywords, interface names, functions, types', () => {
    assert.equal(scopeOf('// a comment'), 'comment.line.double-slash.wit');
    assert.equal(scopeOf(' a block '), 'comment.block.wit');
    assert.equal(scopeOf('package'), 'keyword.other.wit');
    assert.equal(scopeOf('world'), 'keyword.declaration.wit');
    assert.equal(scopeOf('import'), 'keyword.other.wit');
    assert.equal(scopeOf('example'), 'entity.name.namespace.wit');
    assert.equal(scopeOf('store'), 'entity.name.type.interface.wit');
    assert.equal(scopeOf('1.0.0'), 'constant.numeric.version.wit');
    assert.equal(scopeOf('resource'), 'keyword.declaration.wit');
    assert.equal(scopeOf('bucket'), 'entity.name.type.wit');
    assert.equal(scopeOf('string'), 'support.type.primitive.wit');
    assert.equal(scopeOf('result'), 'support.type.builtin.wit');
    assert.equal(scopeOf('->'), 'keyword.operator.arrow.wit');
    const fn = tokens.find((t) => t.scopes.includes('entity.name.function.wit'));
    assert.ok(fn, 'function names are scoped');
  });

  it('leaves no token of the decoded WIT unscoped beyond the source scope', () => {
    const bare = tokens.filter((t) => t.text.trim() !== '' && t.scopes.length === 1);
    assert.deepEqual(
      bare.map((t) => t.text),
      [],
    );
  });
});
