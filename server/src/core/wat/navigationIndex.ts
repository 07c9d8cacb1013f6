/**
 * One index of a WAT text for navigation: every definition (functions, types, globals, memories,
 * tables, tags, element and data segments, locals, labels, exports) and every reference to one, by
 * `$id` or by index, with the function each reference sits in and whether it is a call. Go to
 * definition, find references, document symbols and the call hierarchy all read it. It is built
 * from the lexer's tokens in one pass with explicit stacks (no recursion), so a module the reader
 * cannot fully make sense of still gets an index of what it could follow. The `.wasm` view is WAT
 * text too, so the same index serves it.
 */
import { lex, type Token } from './lexer';

export type NavSpace =
  'func' | 'table' | 'memory' | 'global' | 'tag' | 'type' | 'elem' | 'data' | 'local' | 'label' | 'export';

export interface NavSymbol {
  id: number;
  space: NavSpace;
  /** `$name`, or undefined for an unnamed definition. */
  name?: string;
  /** Index in its space (locals: in their function; labels: order in their function). */
  index: number;
  /** The name token, or the field keyword when unnamed: [start, end) offsets. */
  start: number;
  end: number;
  /** The whole field or list: [fieldStart, fieldEnd). */
  fieldStart: number;
  fieldEnd: number;
  /** The function (symbol id) a local or label belongs to. */
  owner?: number;
  /** For imports: `module.name`; for functions: the signature text; for exports: what is exported. */
  detail?: string;
  imported?: boolean;
}

export interface NavReference {
  symbol: number;
  start: number;
  end: number;
  /** The function (symbol id) the reference is in, if any. */
  inFunction?: number;
  /** A call (call, return_call): the call hierarchy follows these. */
  call: boolean;
}

export interface NavigationIndex {
  symbols: NavSymbol[];
  references: NavReference[];
  /** The symbol whose definition or a reference covers `offset`. */
  symbolAt(offset: number): NavSymbol | undefined;
  referencesTo(symbol: number): NavReference[];
}

const FIELD_SPACES = new Set(['func', 'table', 'memory', 'global', 'tag', 'type', 'elem', 'data']);

const INSTRUCTION_SPACE: Record<string, NavSpace> = {
  call: 'func',
  return_call: 'func',
  'ref.func': 'func',
  'global.get': 'global',
  'global.set': 'global',
  'local.get': 'local',
  'local.set': 'local',
  'local.tee': 'local',
  br: 'label',
  br_if: 'label',
  br_on_null: 'label',
  br_on_non_null: 'label',
  br_table: 'label',
  call_indirect: 'table',
  return_call_indirect: 'table',
  'table.get': 'table',
  'table.set': 'table',
  'table.size': 'table',
  'table.grow': 'table',
  'table.fill': 'table',
  'table.copy': 'table',
  'table.init': 'table',
  'memory.size': 'memory',
  'memory.grow': 'memory',
  'memory.fill': 'memory',
  'memory.copy': 'memory',
  'memory.init': 'memory',
  throw: 'tag',
  catch: 'tag',
  'elem.drop': 'elem',
  'data.drop': 'data',
};
const BLOCKS = new Set(['block', 'loop', 'if', 'try', 'try_table']);

interface Frame {
  head: string;
  start: number;
  /** Set when this list defines a symbol. */
  symbol?: NavSymbol;
  /** Set when this list opened a label (folded block). */
  label?: boolean;
}

interface PendingRef {
  space: NavSpace;
  token: Token;
  inFunction?: number;
  call: boolean;
}

export function buildNavigationIndex(text: string): NavigationIndex {
  const { tokens } = lex(text);
  const symbols: NavSymbol[] = [];
  const references: NavReference[] = [];
  const pending: PendingRef[] = [];
  const counts = new Map<NavSpace, number>();
  const frames: Frame[] = [];
  let fn: NavSymbol | undefined;
  let locals: NavSymbol[] = [];
  let labels: Array<{ symbol: NavSymbol; folded: boolean }> = [];
  let labelCount = 0;
  // The instruction whose immediates are being read, and how many more it may take.
  let instruction: { space: NavSpace; call: boolean; left: number } | undefined;

  const define = (
    space: NavSpace,
    at: Token,
    nameToken: Token | undefined,
    fieldStart: number,
  ): NavSymbol => {
    const local = space === 'local' || space === 'label';
    const index = local ? (space === 'local' ? locals.length : labelCount++) : (counts.get(space) ?? 0);
    if (!local) counts.set(space, index + 1);
    const named = nameToken?.kind === 'id' ? nameToken : undefined;
    const symbol: NavSymbol = {
      id: symbols.length,
      space,
      index,
      start: (named ?? at).start,
      end: (named ?? at).end,
      fieldStart,
      fieldEnd: text.length,
    };
    if (named) symbol.name = named.text;
    if (local && fn) symbol.owner = fn.id;
    symbols.push(symbol);
    if (space === 'local') locals.push(symbol);
    return symbol;
  };

  const resolveLocal = (token: Token): NavSymbol | undefined =>
    token.kind === 'id' ? locals.find((l) => l.name === token.text) : locals[Number(token.text)];
  const resolveLabel = (token: Token): NavSymbol | undefined => {
    if (token.kind === 'id') {
      for (let i = labels.length - 1; i >= 0; i--)
        if (labels[i].symbol.name === token.text) return labels[i].symbol;
      return undefined;
    }
    return labels[labels.length - 1 - Number(token.text)]?.symbol;
  };
  const refer = (space: NavSpace, token: Token, call = false) => {
    if (token.kind !== 'id' && !(token.kind === 'number' && /^\d+$/.test(token.text))) return false;
    if (space === 'local' || space === 'label') {
      const target = space === 'local' ? resolveLocal(token) : resolveLabel(token);
      if (target)
        references.push({ symbol: target.id, start: token.start, end: token.end, inFunction: fn?.id, call });
      return true;
    }
    pending.push({ space, token, inFunction: fn?.id, call });
    return true;
  };

  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok.kind === 'lparen') {
      const headToken = tokens[t + 1];
      const head = headToken?.kind === 'keyword' ? headToken.text : '';
      const frame: Frame = { head, start: tok.start };
      const parent = frames[frames.length - 1];
      const depth = frames.length; // 0: the module list itself
      const moduleLevel = depth === 1 && frames[0].head === 'module';
      instruction = undefined;
      if (moduleLevel && FIELD_SPACES.has(head)) {
        frame.symbol = define(head as NavSpace, headToken, tokens[t + 2], tok.start);
        if (head === 'func') {
          fn = frame.symbol;
          locals = [];
          labels = [];
          labelCount = 0;
        }
      } else if (moduleLevel && head === 'export') {
        frame.symbol = define('export', headToken, undefined, tok.start);
        const name = tokens[t + 2];
        if (name?.kind === 'string') frame.symbol.name = name.text.slice(1, -1);
      } else if (parent?.head === 'import' && depth === 2 && FIELD_SPACES.has(head)) {
        frame.symbol = define(head as NavSpace, headToken, tokens[t + 2], parent.start);
        const m = tokens[t - 2];
        const n = tokens[t - 1];
        frame.symbol.imported = true;
        if (m?.kind === 'string' && n?.kind === 'string')
          frame.symbol.detail = `${m.text.slice(1, -1)}.${n.text.slice(1, -1)}`;
      } else if (
        parent?.symbol?.space === 'func' &&
        parent === frames[frames.length - 1] &&
        depth === 2 &&
        (head === 'param' || head === 'local')
      ) {
        // (param $x i32) defines one local; (param i32 i64) one per type.
        const next = tokens[t + 2];
        if (next?.kind === 'id') define('local', headToken, next, tok.start);
        else
          for (let k = t + 2; k < tokens.length && tokens[k].kind !== 'rparen'; k++) {
            if (tokens[k].kind === 'lparen') break;
            define('local', tokens[k], undefined, tok.start);
          }
      } else if (parent?.symbol?.space === 'func' && depth === 2 && head === 'import') {
        parent.symbol.imported = true;
        const m = tokens[t + 2];
        const n = tokens[t + 3];
        if (m?.kind === 'string' && n?.kind === 'string')
          parent.symbol.detail = `${m.text.slice(1, -1)}.${n.text.slice(1, -1)}`;
      } else if (fn && BLOCKS.has(head)) {
        frame.label = true;
        labels.push({ symbol: define('label', headToken, tokens[t + 2], tok.start), folded: true });
      } else if (head === 'type' && !moduleLevel) {
        if (tokens[t + 2]) refer('type', tokens[t + 2]);
      } else if (head === 'start' && moduleLevel) {
        if (tokens[t + 2]) refer('func', tokens[t + 2]);
      } else if (parent?.head === 'export' && depth === 2 && FIELD_SPACES.has(head)) {
        if (tokens[t + 2]) refer(head as NavSpace, tokens[t + 2]);
        if (parent.symbol) parent.symbol.detail = `${head} ${tokens[t + 2]?.text ?? ''}`;
      } else if (
        (head === 'table' && parent?.head === 'elem') ||
        (head === 'memory' && parent?.head === 'data')
      ) {
        if (tokens[t + 2]) refer(head, tokens[t + 2]);
      } else if (head === 'ref' && tokens[t + 2]) {
        const target = tokens[t + 2].text === 'null' ? tokens[t + 3] : tokens[t + 2];
        if (target?.kind === 'id') refer('type', target);
      }
      frames.push(frame);
      if (headToken?.kind === 'keyword' && !frame.symbol && INSTRUCTION_SPACE[head]) {
        const space = INSTRUCTION_SPACE[head];
        instruction = {
          space,
          call: head === 'call' || head === 'return_call',
          left: head === 'br_table' ? Infinity : 1,
        };
        t++; // the head keyword is consumed here
      } else if (frame.symbol || frame.label || head) t++;
      continue;
    }
    if (tok.kind === 'rparen') {
      const frame = frames.pop();
      instruction = undefined;
      if (!frame) continue;
      if (frame.symbol) frame.symbol.fieldEnd = tok.end;
      if (frame.label) {
        const label = labels.pop();
        if (label) label.symbol.fieldEnd = tok.end;
      }
      if (frame.symbol?.space === 'func' && frame.symbol === fn) fn = undefined;
      continue;
    }
    if (tok.kind === 'keyword') {
      instruction = undefined;
      const space = INSTRUCTION_SPACE[tok.text];
      if (space) {
        instruction = {
          space,
          call: tok.text === 'call' || tok.text === 'return_call',
          left: tok.text === 'br_table' ? Infinity : 1,
        };
      } else if (fn && BLOCKS.has(tok.text)) {
        labels.push({ symbol: define('label', tok, tokens[t + 1], tok.start), folded: false });
      } else if (tok.text === 'end' && labels.length && !labels[labels.length - 1].folded) {
        labels.pop()!.symbol.fieldEnd = tok.end;
      } else if (tok.text === 'func' && frames[frames.length - 1]?.head === 'elem') {
        instruction = { space: 'func', call: false, left: Infinity };
      }
      continue;
    }
    if (instruction && instruction.left > 0 && (tok.kind === 'id' || tok.kind === 'number')) {
      if (refer(instruction.space, tok, instruction.call)) instruction.left--;
      else instruction = undefined;
      continue;
    }
    instruction = undefined;
  }

  // Module-level references resolve after the walk: a call may name a function defined later.
  const byName = new Map<string, NavSymbol>();
  const byIndex = new Map<string, NavSymbol>();
  for (const s of symbols) {
    if (s.space === 'local' || s.space === 'label' || s.space === 'export') continue;
    if (s.name) byName.set(`${s.space}:${s.name}`, s);
    byIndex.set(`${s.space}:${s.index}`, s);
  }
  for (const p of pending) {
    const target =
      p.token.kind === 'id'
        ? byName.get(`${p.space}:${p.token.text}`)
        : byIndex.get(`${p.space}:${p.token.text}`);
    if (target)
      references.push({
        symbol: target.id,
        start: p.token.start,
        end: p.token.end,
        inFunction: p.inFunction,
        call: p.call,
      });
  }
  references.sort((a, b) => a.start - b.start);
  let bySymbol: Map<number, NavReference[]> | undefined;
  const defsByStart = [...symbols].sort((a, b) => a.start - b.start);

  return {
    symbols,
    references,
    symbolAt(offset) {
      const ref = findCovering(references, offset);
      if (ref) return symbols[ref.symbol];
      return findCovering(defsByStart, offset);
    },
    referencesTo(symbol) {
      if (!bySymbol) {
        bySymbol = new Map();
        for (const r of references) {
          const list = bySymbol.get(r.symbol);
          if (list) list.push(r);
          else bySymbol.set(r.symbol, [r]);
        }
      }
      return bySymbol.get(symbol) ?? [];
    },
  };
}

/** Binary search over spans sorted by start: the one containing `offset` (end inclusive, for a cursor after a name). */
function findCovering<T extends { start: number; end: number }>(sorted: T[], offset: number): T | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].start <= offset) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && offset <= sorted[best].end ? sorted[best] : undefined;
}
