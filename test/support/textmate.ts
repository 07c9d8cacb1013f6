/**
 * The shipped TextMate grammars, loaded with the engine VS Code uses (vscode-textmate over the
 * Oniguruma wasm), and a tokenizer that keeps each token's scopes.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..', '..');

export interface Token {
  line: number;
  text: string;
  scopes: string[];
}

let onigLoaded: Promise<void> | undefined;

/** The grammar `scopeName` (`source.wat`) from `syntaxes/<file>`. */
export async function loadGrammar(scopeName: string, file: string): Promise<textmate.IGrammar> {
  const wasm = readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  onigLoaded ??= oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  await onigLoaded;
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (name) => {
      if (name !== scopeName) return null;
      const full = path.join(root, 'syntaxes', file);
      return textmate.parseRawGrammar(readFileSync(full, 'utf8'), full);
    },
  });
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `the grammar ${scopeName} loads`);
  return grammar;
}

export function tokenize(grammar: textmate.IGrammar, text: string): Token[] {
  const tokens: Token[] = [];
  let stack = textmate.INITIAL;
  text.split(/\r?\n/).forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, stack);
    for (const t of result.tokens)
      tokens.push({ line, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    stack = result.ruleStack;
  });
  return tokens;
}
