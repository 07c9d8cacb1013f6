/**
 * Module facts from WAT / WAST text: every module in the file, with exact text spans. A `.wat` is
 * one `(module …)` or a file of bare fields (one module); a `.wast` script has many modules, some
 * inside assertions (`assert_invalid`, `assert_malformed`, …), which are read too but kept apart
 * with their expectation, so rules lint only the modules meant to be valid. `(module binary …)`
 * is decoded with the binary reader and `(module quote …)` is read as text; their facts are
 * located at the module form. Never throws.
 */
import type { Finding } from '../findings';
import { LineIndex, type TextSpan } from '../location';
import { readBinaryModule } from '../module/binary';
import type { ModuleFacts } from '../module/model';
import { isAtom, isKeyword, isListOf } from './cursor';
import { idName, stringBytes } from './literals';
import { headKeyword, readSExpressions, type SList, type SNode } from './sexpr';
import { SYNTAX_RULE_ID, checkWatSyntax, isModuleField } from './syntax';
import { readTextModule } from './textModule';

export type WatModuleFormat = 'text' | 'binary' | 'quote';

/** What the script expects of a module: `valid` for plain module commands and inline fields. */
export type WatExpectation =
  'valid' | 'malformed' | 'invalid' | 'unlinkable' | 'uninstantiable' | 'trap' | 'exception';

const ASSERTIONS: Record<string, WatExpectation> = {
  assert_malformed: 'malformed',
  assert_invalid: 'invalid',
  assert_unlinkable: 'unlinkable',
  assert_uninstantiable: 'uninstantiable',
  assert_trap: 'trap',
  assert_exception: 'exception',
};

/** One module of a text file, with what the script expects of it and what a compiler needs. */
export interface WatModule {
  facts: ModuleFacts;
  format: WatModuleFormat;
  expect: WatExpectation;
  /** `(module definition …)`: declared, not instantiated. */
  definition: boolean;
  /** The whole module form (`(module …)`), or the span of the inline fields. */
  location: TextSpan;
  /** This module's own problems (also in the file's findings when `expect` is `valid`). */
  findings: Finding[];
  /**
   * The module on its own, for a compiler: text that parses as one module (offsets in it match
   * the file from `sourceOffset` on; keywords wabt does not know are blanked), or its bytes.
   */
  source: { kind: 'text'; text: string; sourceOffset: number } | { kind: 'binary'; bytes: Uint8Array };
}

export interface WatReadResult {
  /** Facts of the modules meant to be valid (module commands and inline fields), in file order. */
  modules: ModuleFacts[];
  /** Every problem of the file: syntax of the whole text, and of each module meant to be valid. */
  findings: Finding[];
  /** Every module in the file, assertions included, in file order. */
  entries: WatModule[];
}

/** `lines`: the caller's index of `text`, if it has one (building it costs a pass over the text). */
export function readWatModules(text: string, lines = new LineIndex(text)): WatReadResult {
  return readScript(text, false, lines);
}

/** `quoted`: the text of a `(module quote …)`, which is one module, written whole or as bare fields. */
function readScript(text: string, quoted: boolean, lines = new LineIndex(text)): WatReadResult {
  const parsed = readSExpressions(text, { skipFunctionBodies: true });
  const findings = checkWatSyntax(text, parsed, lines);
  const entries: WatModule[] = [];
  const reader = new ScriptReader(text, lines);

  const onlyModule = parsed.nodes.length === 1 && isListOf(parsed.nodes[0], 'module');
  const inlineFields = parsed.nodes.filter(
    (n) => n.type === 'list' && (quoted ? !onlyModule : n.isAnnotation || isModuleField(headKeyword(n))),
  );
  const hasInlineModule = quoted
    ? !onlyModule
    : inlineFields.some((n) => n.type === 'list' && !n.isAnnotation);
  const inlineSet = new Set<SNode>(inlineFields);
  let inlineDone = false;
  for (const node of parsed.nodes) {
    if (node.type !== 'list') continue;
    const head = headKeyword(node);
    if (hasInlineModule && !inlineDone && inlineSet.has(node)) {
      inlineDone = true;
      const first = inlineFields[0];
      const last = inlineFields[inlineFields.length - 1];
      entries.push(
        reader.textModule(
          null,
          inlineFields,
          first.start,
          last.end,
          undefined,
          'valid',
          false,
          text.slice(first.start, last.end),
          first.start,
          true,
        ),
      );
      continue;
    }
    if (head === 'module') reader.moduleForm(node, 'valid', entries);
    else if (head !== undefined && ASSERTIONS[head]) {
      const inner = node.children[1];
      if (isListOf(inner, 'module')) reader.moduleForm(inner, ASSERTIONS[head], entries);
    }
  }
  if (quoted && hasInlineModule && !inlineDone) {
    // Nothing but annotations, comments or stray atoms: an empty module.
    entries.push(reader.textModule(null, [], 0, text.length, undefined, 'valid', false, '', 0, true));
  }
  // A lexical or bracket error inside a module meant to be valid is that module's problem too, so
  // callers can tell a malformed module from a clean one by its own findings.
  const fileFindings: Finding[] = [];
  const valid = entries.filter((e) => e.expect === 'valid');
  for (const finding of findings) {
    const at = finding.location.kind === 'text' ? lines.offsetAt(finding.location.start) : -1;
    const owner = valid.find(
      (e) => at >= lines.offsetAt(e.location.start) && at < lines.offsetAt(e.location.end),
    );
    if (owner) {
      owner.findings.push(finding);
      owner.facts.problems.push(finding);
    } else fileFindings.push(finding);
  }
  findings.length = 0;
  findings.push(...fileFindings);
  for (const entry of valid) findings.push(...entry.findings);
  return { modules: entries.filter((e) => e.expect === 'valid').map((e) => e.facts), findings, entries };
}

class ScriptReader {
  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  /** `(module $id? definition? (binary|quote)? …)`; `(module instance …)` is a command, not a module. */
  moduleForm(list: SList, expect: WatExpectation, out: WatModule[]): void {
    let i = 1;
    let id: string | undefined;
    const blanked: Array<[number, number]> = [];
    let definition = false;
    // `(module $id? definition? …)`; the spec's own tests also write `(module definition $id …)`.
    for (let k = 0; k < 2; k++) {
      const node = list.children[i];
      if (id === undefined && isAtom(node, 'id')) {
        id = idName(node.text);
        i++;
      } else if (!definition && isKeyword(node, 'definition')) {
        definition = true;
        blanked.push([node.start, node.end]);
        i++;
      }
    }
    if (isKeyword(list.children[i], 'instance')) return;
    const end = list.end;
    if (isKeyword(list.children[i], 'binary') || isKeyword(list.children[i], 'quote')) {
      const format = (list.children[i] as { token: { text: string } }).token.text as 'binary' | 'quote';
      const strings = list.children.slice(i + 1);
      const bad = strings.find((s) => !isAtom(s, 'string'));
      const chunks = strings
        .filter((s) => isAtom(s, 'string'))
        .map((s) => stringBytes((s as { token: { text: string } }).token.text));
      const bytes = concat(chunks);
      const entry =
        format === 'binary' ? this.binaryModule(bytes, list, id) : this.quoteModule(bytes, list, id);
      entry.expect = expect;
      entry.definition = definition;
      if (bad)
        entry.findings.push(
          this.finding(
            `Expected a string in "(module ${format} …)", found another form.`,
            bad.start,
            bad.end,
          ),
        );
      out.push(entry);
      return;
    }
    let source = this.text.slice(list.start, end);
    for (const [s, e] of blanked)
      source = source.slice(0, s - list.start) + ' '.repeat(e - s) + source.slice(e - list.start);
    out.push(
      this.textModule(
        list,
        list.children.slice(i),
        list.start,
        end,
        id,
        expect,
        definition,
        source,
        list.start,
        false,
      ),
    );
  }

  textModule(
    moduleList: SList | null,
    fields: SNode[],
    start: number,
    end: number,
    id: string | undefined,
    expect: WatExpectation,
    definition: boolean,
    sourceText: string,
    sourceOffset: number,
    inline: boolean,
  ): WatModule {
    const { facts, findings } = readTextModule({
      text: this.text,
      lines: this.lines,
      moduleList,
      fields,
      start,
      end,
      id,
    });
    return {
      facts,
      format: 'text',
      expect,
      definition,
      location: this.lines.span(start, end),
      findings,
      source: {
        kind: 'text',
        text: inline ? `(module ${sourceText})` : sourceText,
        sourceOffset: inline ? sourceOffset - 8 : sourceOffset,
      },
    };
  }

  private binaryModule(bytes: Uint8Array, list: SList, id: string | undefined): WatModule {
    const span = this.lines.span(list.start, list.end);
    const facts = relocate(readBinaryModule(bytes), span);
    if (id !== undefined) facts.id = id;
    return {
      facts,
      format: 'binary',
      expect: 'valid',
      definition: false,
      location: span,
      findings: [...facts.problems],
      source: { kind: 'binary', bytes },
    };
  }

  /** A quoted module is text in strings: read it as a file of its own, then place it at the form. */
  private quoteModule(bytes: Uint8Array, list: SList, id: string | undefined): WatModule {
    const span = this.lines.span(list.start, list.end);
    const quoted = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const inner = readScript(quoted, true);
    const findings: Finding[] = inner.findings.map((f) => ({
      ...f,
      location: span,
      message: `In the quoted module: ${f.message}`,
    }));
    const modules = inner.entries.filter((e) => e.expect === 'valid');
    let facts: ModuleFacts;
    if (modules.length === 1) facts = relocate(modules[0].facts, span);
    else {
      findings.push(
        this.finding(
          `A quoted module must hold exactly one module; this one holds ${modules.length}.`,
          list.start,
          list.end,
        ),
      );
      facts = relocate(
        readTextModule({ text: '', lines: new LineIndex(''), moduleList: null, fields: [], start: 0, end: 0 })
          .facts,
        span,
      );
    }
    facts.problems = findings;
    if (id !== undefined) facts.id = id;
    const text = modules.length === 1 && modules[0].source.kind === 'text' ? modules[0].source.text : quoted;
    return {
      facts,
      format: 'quote',
      expect: 'valid',
      definition: false,
      location: span,
      findings,
      source: { kind: 'text', text, sourceOffset: -1 },
    };
  }

  private finding(message: string, start: number, end: number): Finding {
    return { ruleId: SYNTAX_RULE_ID, severity: 'error', message, location: this.lines.span(start, end) };
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Places every `location` in facts read from elsewhere (bytes, quoted text) at `span`. */
function relocate(facts: ModuleFacts, span: TextSpan): ModuleFacts {
  const stack: unknown[] = [facts];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) continue;
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === 'location' && record[key] && typeof record[key] === 'object') record[key] = span;
      else stack.push(record[key]);
    }
  }
  return facts;
}
