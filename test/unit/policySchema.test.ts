import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'jsonc-parser';
import { DEFAULT_POLICY_TEXT, STRICT_POLICY_TEXT } from '../../server/src/core/policy/builtins';
import { POLICY_SCHEMA } from '../../server/src/core/policy/schemaCheck';
import { describeCapability, describeImportPattern } from '../../server/src/core/policy/describe';
import { WASI_PREVIEW1_FUNCTIONS } from '../../server/src/core/wasi/catalogue';
import { CAPABILITY_NAMES } from '../../server/src/core/wasi/capabilities';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMA_FILE = path.join(ROOT, 'schemas', 'wasm-policy.schema.json');

/** Every property name the schema defines, with the description it gives. */
function schemaProperties(): Array<{ name: string; description?: string }> {
  const found: Array<{ name: string; description?: string }> = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    const properties = object.properties as
      Record<string, { description?: string; $ref?: string }> | undefined;
    for (const [name, value] of Object.entries(properties ?? {}))
      found.push({ name, description: value.description });
    for (const value of Object.values(object)) walk(value);
  };
  walk(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
  return found;
}

describe('policy schema, docs and catalogue', () => {
  it('the schema is valid JSON Schema and agrees with the built-in policies', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // Our own formats are checked by schemaCheck.ts; editors ignore them.
    ajv.addFormat('wasm-size', true).addFormat('import-pattern', true);
    const validate = ajv.compile(POLICY_SCHEMA);
    for (const text of [DEFAULT_POLICY_TEXT, STRICT_POLICY_TEXT])
      assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
    assert.equal(validate({ memory: { maxPage: 1 } }), false);
    assert.equal(validate({ memory: { maxBytes: '100 megs' } }), false);
    assert.equal(validate({ imports: { otherwise: 'block' } }), false);
  });

  it('every field has a description, and docs/policy.md documents it', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'policy.md'), 'utf8');
    for (const { name } of schemaProperties()) {
      assert.match(
        docs,
        new RegExp(`[\`.]${name.replace('$', '\\$')}[\`.]`),
        `docs/policy.md does not mention \`${name}\``,
      );
    }
    const definitions = (
      POLICY_SCHEMA as unknown as { definitions: Record<string, { description?: string }> }
    ).definitions;
    for (const [name, definition] of Object.entries(definitions))
      assert.ok(definition.description, `definition ${name} lacks a description`);
  });

  it('docs/policy.md shows the built-in policies verbatim', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'policy.md'), 'utf8');
    assert.ok(docs.includes(DEFAULT_POLICY_TEXT));
    assert.ok(docs.includes(STRICT_POLICY_TEXT));
  });

  it('the WASI preview1 catalogue is complete and consistent', () => {
    const names = WASI_PREVIEW1_FUNCTIONS.map((f) => f.name);
    assert.equal(names.length, 46);
    assert.equal(new Set(names).size, names.length);
    for (const f of WASI_PREVIEW1_FUNCTIONS) {
      assert.ok(CAPABILITY_NAMES.includes(f.capability));
      // Every preview1 function returns an errno except proc_exit.
      assert.deepEqual(f.signature.results, f.name === 'proc_exit' ? [] : ['i32'], f.name);
    }
    for (const c of CAPABILITY_NAMES) assert.ok(describeCapability(c));
  });

  it('describes patterns for hovers', () => {
    assert.match(
      describeImportPattern('wasi_snapshot_preview1.fd_write') ?? '',
      /capability `io`.*Writes to a file descriptor/s,
    );
    assert.match(
      describeImportPattern('wasi_snapshot_preview1.sock_*') ?? '',
      /matches 4 WASI preview1 functions/,
    );
    assert.match(describeImportPattern('wasi:http/outgoing-handler@0.2.0') ?? '', /capability `network`/);
    assert.equal(describeImportPattern('env.*'), undefined);
    assert.equal(describeCapability('telepathy'), undefined);
  });
});
