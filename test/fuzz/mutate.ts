/**
 * Seeded mutations for the fuzzing harness: of module bytes (bit flips, byte inserts and deletes,
 * LEB128 counts blown up, sections spliced in from another module, truncations), of WAT text, and
 * of policies (JSON structure changes and hostile patterns). The same seed gives the same inputs.
 */
import { seededRandom } from '../support/seededRandom';

export type Random = (n: number) => number;

export function randomFor(seed: number): Random {
  return seededRandom(seed ^ 0x5bd1e995);
}

const pick = <T>(random: Random, items: readonly T[]): T => items[random(items.length)]!;

/** Where each section of a module starts and ends (as far as the bytes allow). */
export function sectionSpans(bytes: Uint8Array): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let at = 8;
  while (at < bytes.length && spans.length < 10_000) {
    const start = at++;
    let size = 0;
    let shift = 0;
    for (let i = 0; i < 5 && at < bytes.length; i++) {
      const b = bytes[at++]!;
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    const end = Math.min(bytes.length, at + size);
    spans.push({ start, end });
    at = end;
  }
  return spans;
}

/**
 * Inserts `items` into `out` at `at`. Not `splice(at, 0, ...items)`: a section of a large module
 * (ffmpeg's code section) passed as arguments overflows the call stack.
 */
function insertAt(out: number[], at: number, items: ArrayLike<number>): void {
  const tail = out.splice(at);
  for (let i = 0; i < items.length; i++) out.push(items[i]);
  for (const byte of tail) out.push(byte);
}

/** One mutation of module bytes; `other` is another module to splice from. */
export function mutateBytes(random: Random, bytes: Uint8Array, other: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const at = () => random(Math.max(1, out.length));
  const kind = random(7);
  switch (kind) {
    case 0: {
      // a few bit flips
      for (let n = 1 + random(4); n > 0 && out.length > 0; n--) out[at()]! ^= 1 << random(8);
      break;
    }
    case 1:
      out.splice(at(), 0, ...Array.from({ length: 1 + random(4) }, () => random(256)));
      break;
    case 2:
      out.splice(at(), 1 + random(4));
      break;
    case 3: {
      // a LEB128 count blown up: 0xffffffff (or a 5-byte 0x7fffffff) where a count may sit
      const where = 8 + random(Math.max(1, out.length - 8));
      const huge = random(2) ? [0xff, 0xff, 0xff, 0xff, 0x0f] : [0xff, 0xff, 0xff, 0xff, 0x07];
      out.splice(where, random(2) ? 1 : 0, ...huge);
      break;
    }
    case 4: {
      // a section of another module spliced in at a section boundary
      const spans = sectionSpans(other);
      const mine = sectionSpans(bytes);
      if (spans.length === 0) break;
      const { start, end } = pick(random, spans);
      const where = mine.length ? pick(random, mine).start : Math.min(8, out.length);
      insertAt(out, where, other.subarray(start, end));
      break;
    }
    case 5:
      out.length = random(out.length + 1);
      break;
    default: {
      // a whole section dropped or duplicated
      const mine = sectionSpans(bytes);
      if (mine.length === 0) break;
      const { start, end } = pick(random, mine);
      if (random(2)) out.splice(start, end - start);
      else insertAt(out, end, bytes.subarray(start, end));
    }
  }
  return Uint8Array.from(out);
}

const WAT_TOKENS = [
  '(',
  ')',
  '(module',
  '(func',
  '(block',
  '(loop',
  '(memory 1)',
  '(import "env" "f" (func))',
  '(export "x" (func 0))',
  'i32.const 0',
  'i64.const -1',
  'local.get 0',
  '0xffffffff',
  '"\\00\\ff"',
  ';;',
  '(;',
  ';)',
  '$name',
  'nan:0x7fffff',
  '4294967296',
  '(data (i32.const 0) "abc")',
];

/** One mutation of WAT text: tokens inserted, spans deleted or duplicated, deep nesting, truncation. */
export function mutateText(random: Random, text: string): string {
  const at = () => random(text.length + 1);
  switch (random(6)) {
    case 0: {
      const i = at();
      return text.slice(0, i) + ' ' + pick(random, WAT_TOKENS) + ' ' + text.slice(i);
    }
    case 1: {
      const i = at();
      return text.slice(0, i) + text.slice(i + 1 + random(20));
    }
    case 2: {
      const i = at();
      const j = Math.min(text.length, i + random(200));
      return text.slice(0, j) + text.slice(i, j) + text.slice(j);
    }
    case 3: {
      // nesting: blocks inside a function (shallow enough for the short run's compile budget)
      const depth = 1 + random(120);
      const i = text.indexOf('(func');
      const body = '(block '.repeat(depth) + ')'.repeat(depth);
      return i < 0
        ? `${text}\n(module (func ${body}))`
        : `${text.slice(0, i + 5)} ${body} ${text.slice(i + 5)}`;
    }
    case 4:
      return text.slice(0, at());
    default: {
      const i = at();
      const chars = '()";\\$\u0000\uffff\n';
      return text.slice(0, i) + chars[random(chars.length)] + text.slice(i + 1);
    }
  }
}

const HOSTILE_PATTERNS = [
  `env.${'*a'.repeat(30)}*b`,
  `${'*'.repeat(5_000)}x`,
  'x'.repeat(40_000),
  'wasi:*/*@*',
  '',
  '*',
  '**',
  '\u0000',
];
const HOSTILE_KEYS = [
  'constructor',
  'toString',
  'valueOf',
  '__proto__',
  'hasOwnProperty',
  'imports',
  'rules',
];
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  '64KiB',
  '1.5GiB',
  [],
  {},
  'allow',
  'deny',
  ['*'],
  { otherwise: 'allow' },
];
const HOSTILE_GLOBS = [`**/${'a*'.repeat(40)}b`, 'a'.repeat(70_000), '{a,{b,{c,{d}}}}/**', '[!', '**/*.wasm'];

/** One mutation of a policy: its JSON structure changed, or a hostile pattern, key or glob put in. */
export function mutatePolicy(random: Random, text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return mutateText(random, text);
  }
  if (random(5) === 0) return mutateText(random, text);
  const objects: Array<Record<string, unknown>> = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      if (!Array.isArray(v)) objects.push(v as Record<string, unknown>);
      for (const child of Object.values(v)) walk(child);
    }
  };
  walk(value);
  const target = objects.length ? pick(random, objects) : {};
  switch (random(5)) {
    case 0: {
      const root = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      if (!root.imports || typeof root.imports !== 'object' || Array.isArray(root.imports)) root.imports = {};
      value = root;
      const imports = root.imports as Record<string, unknown>;
      const list = random(2) ? 'deny' : 'allow';
      imports[list] = [
        ...(Array.isArray(imports[list]) ? (imports[list] as unknown[]) : []),
        pick(random, HOSTILE_PATTERNS),
      ];
      break;
    }
    case 1:
      Object.defineProperty(target, pick(random, HOSTILE_KEYS), {
        value: pick(random, HOSTILE_VALUES),
        enumerable: true,
        configurable: true,
        writable: true,
      });
      break;
    case 2: {
      const keys = Object.keys(target);
      if (keys.length) target[pick(random, keys)] = pick(random, HOSTILE_VALUES);
      break;
    }
    case 3: {
      const keys = Object.keys(target);
      if (keys.length) delete target[pick(random, keys)];
      break;
    }
    default:
      if (!value || typeof value !== 'object' || Array.isArray(value)) value = {};
      (value as Record<string, unknown>).overrides = [
        { files: [pick(random, HOSTILE_GLOBS)], imports: { otherwise: 'allow' } },
      ];
  }
  return JSON.stringify(value, null, random(2) ? 2 : undefined);
}
