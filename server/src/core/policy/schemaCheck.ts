/**
 * Checks a policy tree against schemas/wasm-policy.schema.json — the same file VS Code uses for
 * completion — and reports each mistake at its exact range: unknown keys (with "did you mean"),
 * wrong types, values outside an enum or a range, bad sizes, duplicate keys, missing keys.
 * It interprets the subset of JSON Schema that file uses.
 */
import type { Node } from 'jsonc-parser';
import type { Finding } from '../findings';
import schemaJson from '../../../../schemas/wasm-policy.schema.json';
import { policyProblem, type PolicyDocument } from './document';
import { parseSize } from './sizes';
import { didYouMean } from '../suggest';

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  uniqueItems?: boolean;
  format?: string;
}

/** A property's schema: own keys only, so `constructor` or `toString` is not mistaken for a field. */
function propertySchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

export const POLICY_SCHEMA = schemaJson as unknown as SchemaNode & {
  definitions: Record<string, SchemaNode>;
};

/** A `$ref` replaced by its definition, with the referring node's own keywords on top. */
export function resolveSchema(schema: SchemaNode): SchemaNode {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/definitions/', '');
  const { $ref: _ref, ...rest } = schema;
  const definition = Object.hasOwn(POLICY_SCHEMA.definitions, name) ? POLICY_SCHEMA.definitions[name] : {};
  return { ...resolveSchema(definition ?? {}), ...rest };
}

/** The schema of the value at a JSON path (property names and array indices), if the path is known. */
export function schemaAt(path: Array<string | number>): SchemaNode | undefined {
  let schema: SchemaNode | undefined = POLICY_SCHEMA;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = resolveSchema(schema);
    if (typeof segment === 'number') schema = schema.items;
    else schema = propertySchema(schema, segment);
  }
  return schema && resolveSchema(schema);
}

function describe(node: Node): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    case 'number':
      return `the number ${node.value}`;
    case 'boolean':
      return `${node.value}`;
    default:
      return `the string ${JSON.stringify(node.value)}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object { … }',
  array: 'an array [ … ]',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

function typeMatches(node: Node, type: string): boolean {
  if (type === 'integer') return node.type === 'number' && Number.isInteger(node.value);
  return node.type === type;
}

function label(path: Array<string | number>): string {
  if (path.length === 0) return 'The policy';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

class SchemaChecker {
  readonly problems: Finding[] = [];
  constructor(private readonly doc: PolicyDocument) {}

  private report(node: Node, message: string, severity: Finding['severity'] = 'error'): void {
    this.problems.push(
      policyProblem(this.doc.lines, node.offset, node.offset + node.length, message, severity),
    );
  }

  check(node: Node, rawSchema: SchemaNode, path: Array<string | number>): void {
    const schema = resolveSchema(rawSchema);
    const where = label(path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => typeMatches(node, t))) {
        this.report(
          node,
          `${where} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}; found ${describe(node)}.`,
        );
        return;
      }
    }
    if (schema.format === 'wasm-size') {
      const size = parseSize(node.value);
      if ('error' in size) return this.report(node, `${where}: ${size.error}`);
    }
    if (schema.enum && !schema.enum.includes(node.value)) {
      const choices = schema.enum.map((e) => JSON.stringify(e)).join(', ');
      const hint = typeof node.value === 'string' ? didYouMean(node.value, schema.enum.map(String)) : '';
      return this.report(node, `${where} must be one of ${choices}; found ${describe(node)}.${hint}`);
    }
    if (node.type === 'number') {
      if (schema.minimum !== undefined && node.value < schema.minimum)
        this.report(node, `${where} must be at least ${schema.minimum}; found ${node.value}.`);
      if (schema.maximum !== undefined && node.value > schema.maximum)
        this.report(node, `${where} must be at most ${schema.maximum}; found ${node.value}.`);
    }
    if (
      node.type === 'string' &&
      schema.minLength !== undefined &&
      String(node.value).length < schema.minLength
    ) {
      this.report(node, `${where} must not be empty.`);
    }
    if (node.type === 'object') this.checkObject(node, schema, path);
    if (node.type === 'array') this.checkArray(node, schema, path);
  }

  private checkObject(node: Node, schema: SchemaNode, path: Array<string | number>): void {
    const seen = new Set<string>();
    const known = Object.keys(schema.properties ?? {});
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (seen.has(key))
        this.report(keyNode, `"${key}" appears twice in ${label(path)}; only one can count. Remove one.`);
      seen.add(key);
      const valueSchema = propertySchema(schema, key);
      if (!valueSchema) {
        if (schema.additionalProperties === false) {
          const inside = path.length === 0 ? 'a policy' : `"${label(path)}"`;
          this.report(keyNode, `Unknown key "${key}" in ${inside}.${didYouMean(key, known)}`);
        }
        continue;
      }
      if (valueNode) this.check(valueNode, valueSchema, [...path, key]);
    }
    for (const required of schema.required ?? []) {
      if (!seen.has(required))
        this.report({ ...node, length: Math.min(node.length, 1) }, `${label(path)} needs "${required}".`);
    }
  }

  private checkArray(node: Node, schema: SchemaNode, path: Array<string | number>): void {
    const items = node.children ?? [];
    if (schema.minItems !== undefined && items.length < schema.minItems) {
      this.report(
        node,
        `${label(path)} needs at least ${schema.minItems} entr${schema.minItems === 1 ? 'y' : 'ies'}.`,
      );
    }
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      if (schema.items) this.check(item, schema.items, [...path, index]);
      if (schema.uniqueItems && item.type !== 'object' && item.type !== 'array') {
        if (seen.has(item.value))
          this.report(item, `${JSON.stringify(item.value)} is listed twice in ${label(path)}.`, 'warning');
        seen.add(item.value);
      }
    });
  }
}

/** Every place where the policy does not follow the schema. */
export function checkAgainstSchema(doc: PolicyDocument): Finding[] {
  if (!doc.root || doc.root.type !== 'object') return [];
  const checker = new SchemaChecker(doc);
  checker.check(doc.root, POLICY_SCHEMA, []);
  return checker.problems;
}
