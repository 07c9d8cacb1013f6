/**
 * Turns a checked policy tree into settings: flat, ordered `(path, value, pointer)` entries that
 * resolution layers on top of each other (`extends`, then the file, then matching `overrides`).
 * Each setting remembers the JSON text that set it, so any decision can point back at its line.
 */
import * as path from 'node:path';
import { resolveRequiredWorld } from './requiredWorld';
import { getNodeValue, type Node } from 'jsonc-parser';
import type { PolicyPointer } from '../findings';
import { nodeSpan, type PolicyDocument } from './document';
import { parseSize } from './sizes';
import type { HttpMockResponse, HttpRequestSpec } from './httpSpec';

export interface Setting {
  /** Dotted field path: `imports.allow`, `memory.maxPages`, `sandbox.env`, `rules`. */
  path: string;
  /** For map fields (`sandbox.env`, `rules`): the entry's key. */
  key?: string;
  value: unknown;
  pointer: PolicyPointer;
}

export interface PolicyLayer {
  settings: Setting[];
}

export interface OverrideLayer extends PolicyLayer {
  files: string[];
}

/** Import lists add up across layers; every other field is replaced by the later layer. */
export const ACCUMULATING_PATHS = new Set(['imports.allow', 'imports.deny', 'imports.capabilities']);

type Kind = 'scalar' | 'each' | 'map' | 'whole';

interface FieldReader {
  path: string;
  kind: Kind;
  /** Checks and converts a value; undefined drops it (the schema check has reported why). */
  convert: (value: unknown, policyDir: string) => unknown;
}

const isString = (v: unknown) => (typeof v === 'string' ? v : undefined);
const isBoolean = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const isCount = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
const isNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const oneOf =
  (...choices: string[]) =>
  (v: unknown) =>
    typeof v === 'string' && choices.includes(v) ? v : undefined;
const sizeInBytes = (v: unknown) => {
  const size = parseSize(v);
  return 'bytes' in size ? size.bytes : undefined;
};
const stringList = (v: unknown) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;

const FIELDS: FieldReader[] = [
  { path: 'imports.allow', kind: 'each', convert: isString },
  { path: 'imports.deny', kind: 'each', convert: isString },
  { path: 'imports.capabilities', kind: 'each', convert: isString },
  { path: 'imports.otherwise', kind: 'scalar', convert: oneOf('allow', 'warn', 'deny') },
  { path: 'imports.neverCalled', kind: 'scalar', convert: oneOf('lower', 'keep') },
  {
    path: 'imports.world',
    kind: 'scalar',
    convert: (v, dir) => (typeof v === 'string' ? resolveRequiredWorld(v, dir) : undefined),
  },
  { path: 'memory.maxPages', kind: 'scalar', convert: isCount },
  { path: 'memory.maxBytes', kind: 'scalar', convert: sizeInBytes },
  { path: 'memory.requireMaximum', kind: 'scalar', convert: isBoolean },
  { path: 'memory.allowShared', kind: 'scalar', convert: isBoolean },
  { path: 'memory.allowMemory64', kind: 'scalar', convert: isBoolean },
  { path: 'memory.allowImported', kind: 'scalar', convert: isBoolean },
  { path: 'signature.required', kind: 'scalar', convert: isBoolean },
  {
    path: 'signature.trustedKeys',
    kind: 'scalar',
    convert: (v, dir) => stringList(v)?.map((key) => path.resolve(dir, key)),
  },
  { path: 'signature.allowPartial', kind: 'scalar', convert: isBoolean },
  { path: 'sandbox.timeoutMs', kind: 'scalar', convert: (v) => (isCount(v) ? v : undefined) },
  { path: 'sandbox.maxMemory', kind: 'scalar', convert: sizeInBytes },
  {
    path: 'sandbox.fuel',
    kind: 'scalar',
    convert: (v) => (isCount(v) ? (v as number) || undefined : undefined),
  },
  { path: 'sandbox.fuelCounting', kind: 'scalar', convert: oneOf('exact', 'bound') },
  {
    path: 'sandbox.preopens',
    kind: 'scalar',
    convert: (v, dir) => {
      if (!Array.isArray(v)) return undefined;
      const preopens = v.filter((p) => p && typeof p.host === 'string' && typeof p.guest === 'string');
      return preopens.map((p) => ({
        host: path.resolve(dir, p.host),
        guest: p.guest,
        mode: p.mode === 'rw' ? 'rw' : 'ro',
      }));
    },
  },
  { path: 'sandbox.env', kind: 'map', convert: isString },
  { path: 'sandbox.args', kind: 'scalar', convert: stringList },
  { path: 'sandbox.network.allow', kind: 'scalar', convert: stringList },
  { path: 'sandbox.http.requests', kind: 'scalar', convert: httpRequests },
  { path: 'sandbox.http.mock', kind: 'scalar', convert: httpMock },
  { path: 'sandbox.alerts.memoryPercent', kind: 'scalar', convert: isNumber },
  { path: 'sandbox.alerts.slowMs', kind: 'scalar', convert: isCount },
  { path: 'sandbox.clock', kind: 'scalar', convert: oneOf('real', 'fixed') },
  { path: 'sandbox.random', kind: 'scalar', convert: oneOf('real', 'fixed') },
  { path: 'rules', kind: 'map', convert: oneOf('error', 'warning', 'info', 'off') },
  {
    path: 'runtime',
    kind: 'whole',
    convert: (v) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
      const runtime = v as { name?: unknown; features?: unknown };
      return { name: isString(runtime.name), features: stringList(runtime.features) };
    },
  },
];

/** Longest text kept in a pointer: enough to recognise the entry. */
const MAX_POINTER_TEXT = 200;

export function pointerTo(doc: PolicyDocument, node: Node, builtIn = false): PolicyPointer {
  const text = doc.text.slice(node.offset, node.offset + Math.min(node.length, MAX_POINTER_TEXT));
  return builtIn ? { file: doc.path, text } : { file: doc.path, location: nodeSpan(doc.lines, node), text };
}

/** The property node `key` of an object node (the last one when a key is repeated, as JSON.parse does). */
export function propertyNode(object: Node | undefined, key: string): Node | undefined {
  if (!object || object.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const property of object.children ?? []) {
    if (property.children?.[0]?.value === key) found = property;
  }
  return found;
}

/** Reads the settings under one section object (the policy root or an `overrides` entry). */
export function readLayer(doc: PolicyDocument, section: Node | undefined, builtIn = false): PolicyLayer {
  const settings: Setting[] = [];
  const dir = path.dirname(doc.path);
  for (const field of FIELDS) {
    const keys = field.path.split('.');
    let parent: Node | undefined = section;
    for (const key of keys.slice(0, -1)) parent = propertyNode(parent, key)?.children?.[1];
    const property = propertyNode(parent, keys[keys.length - 1]);
    const valueNode = property?.children?.[1];
    if (!property || !valueNode) continue;
    const add = (node: Node, raw: unknown, key?: string) => {
      const value = field.convert(raw, dir);
      if (value !== undefined)
        settings.push({ path: field.path, key, value, pointer: pointerTo(doc, node, builtIn) });
    };
    if (field.kind === 'each') {
      if (valueNode.type === 'array') for (const item of valueNode.children ?? []) add(item, item.value);
    } else if (field.kind === 'map') {
      if (valueNode.type === 'object') {
        for (const entry of valueNode.children ?? []) {
          const [k, v] = entry.children ?? [];
          if (k && v) add(entry, v.value, String(k.value));
        }
      }
    } else {
      add(property, getNodeValue(valueNode));
    }
  }
  return { settings };
}

/** The `overrides` entries of a policy root, each with its globs and settings. */
export function readOverrides(doc: PolicyDocument, builtIn = false): OverrideLayer[] {
  const list = propertyNode(doc.root, 'overrides')?.children?.[1];
  if (!list || list.type !== 'array') return [];
  return (list.children ?? []).flatMap((entry) => {
    const files = stringList(getNodeValue(propertyNode(entry, 'files')?.children?.[1] ?? entry));
    return files && entry.type === 'object' ? [{ files, ...readLayer(doc, entry, builtIn) }] : [];
  });
}

/** `sandbox.http.requests`: `[{ method, path, headers, body }]`, each field optional (GET / by default). */
function httpRequests(v: unknown): HttpRequestSpec[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r))
    .map((r) => ({
      method: typeof r.method === 'string' ? r.method : 'GET',
      path: typeof r.path === 'string' ? r.path : '/',
      headers: stringMap(r.headers),
      body: typeof r.body === 'string' ? r.body : '',
    }));
}

/** `sandbox.http.mock`: URL (or `METHOD URL`) → `{ status, headers, body }`. */
function httpMock(v: unknown): Record<string, HttpMockResponse> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const mock: Record<string, HttpMockResponse> = {};
  for (const [key, r] of Object.entries(v as Record<string, unknown>)) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) continue;
    const answer = r as Record<string, unknown>;
    mock[key] = {
      status: typeof answer.status === 'number' ? answer.status : 200,
      headers: stringMap(answer.headers),
      body: typeof answer.body === 'string' ? answer.body : '',
    };
  }
  return mock;
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
