/** `wasm-warden inspect`'s human-readable output: the facts of a module, its reach and its problems. */
import type { Finding } from '../../core/findings';
import { dataSegmentTotals } from '../../core/module/lazyDataSegments';
import type { FuncSignature, ImportFact, ModuleFacts } from '../../core/module/model';
import type { Reachability } from '../../core/reach/reachability';
import { exportReachRows, neverCalledImports } from '../../core/reach/summary';
import { detectAbis } from '../../core/wasi/hostAbis';

function signatureText(signature: FuncSignature | null): string {
  if (!signature) return '(unknown type)';
  const results = signature.results.length === 1 ? signature.results[0] : `(${signature.results.join(', ')})`;
  return `(${signature.params.join(', ')}) -> ${results}`;
}

function limitsText(initial: number, maximum: number | null): string {
  return `initial ${initial}, maximum ${maximum === null ? 'none' : maximum}`;
}

function importTypeText(entry: ImportFact): string {
  const t = entry.type;
  switch (t.kind) {
    case 'func':
    case 'tag':
      return signatureText(t.signature);
    case 'memory':
      return `${limitsText(t.memory.initial, t.memory.maximum)} pages${t.memory.shared ? ', shared' : ''}${t.memory.memory64 ? ', 64-bit' : ''}`;
    case 'table':
      return `${t.table.elementType}, ${limitsText(t.table.initial, t.table.maximum)}`;
    case 'global':
      return `${t.global.mutable ? 'mut ' : ''}${t.global.valueType}`;
  }
}

export function bytesText(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function describeCore(f: ModuleFacts, indent: string): string[] {
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  const defined = f.functions.filter((fn) => !fn.imported).length;
  const code = f.source === 'binary' ? ` (code ${bytesText(f.codeSize)})` : '';
  line(`core module: ${defined} functions${code}, ${f.globals.length} globals`);
  line(`proposals: ${f.proposals.length ? f.proposals.join(', ') : 'none beyond WebAssembly 1.0'}`);
  const abis = detectAbis(f.imports);
  if (abis.length) line(`host ABI: ${abis.map((a) => `${a.label} (${a.imports} imports)`).join(', ')}`);
  line(`imports (${f.imports.length}):`);
  for (const i of f.imports) line(`  ${i.module} :: ${i.name}  ${i.kind} ${importTypeText(i)}`);
  line(`exports (${f.exports.length}):`);
  for (const e of f.exports) {
    const name = e.kind === 'func' ? f.functions[e.index]?.name : undefined;
    line(`  ${e.name}  ${e.kind} ${e.index}${name ? ` (${name})` : ''}`);
  }
  line(`memories (${f.memories.length}):`);
  for (const m of f.memories) {
    const pages = m.pageSize === 65536 ? 'pages of 64 KiB' : `pages of ${m.pageSize} B`;
    const flags = [
      m.imported ? 'imported' : 'defined',
      m.shared ? 'shared' : '',
      m.memory64 ? '64-bit' : '',
      m.exportedAs.length ? `exported as ${m.exportedAs.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    line(`  memory ${m.index}: ${limitsText(m.initial, m.maximum)} ${pages}; ${flags}`);
  }
  line(`tables (${f.tables.length}):`);
  for (const t of f.tables)
    line(
      `  table ${t.index}: ${t.elementType}, ${limitsText(t.initial, t.maximum)}; ${t.imported ? 'imported' : 'defined'}`,
    );
  if (f.start)
    line(`start: function ${f.start.funcIndex}${f.start.funcName ? ` (${f.start.funcName})` : ''}`);
  const data = dataSegmentTotals(f);
  line(
    `data segments: ${data.count} (${data.count - data.passive} active, ${data.passive} passive), ${bytesText(data.bytes)}`,
  );
  line(`element segments: ${f.elementSegments.length}`);
  describeCustom(f, indent).forEach((l) => out.push(l));
  return out;
}

function describeCustom(f: ModuleFacts, indent: string): string[] {
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  line(`custom sections (${f.customSections.length}):`);
  for (const c of f.customSections) line(`  ${c.name} (${bytesText(c.size)})`);
  if (f.signature) {
    if (f.signature.error) line(`signature: unreadable (${f.signature.error})`);
    else {
      const signatures = f.signature.signedHashSets.flatMap((s) => s.signatures);
      const keyIds = signatures.map((s) => s.keyId ?? '(none)');
      line(
        `signature: ${f.signature.signedHashSets.length} signed hash set(s), ${signatures.length} signature(s), key ids: ${keyIds.join(', ')}`,
      );
    }
  }
  if (f.producers) {
    for (const [field, values] of Object.entries(f.producers.fields)) {
      line(`${field}: ${values.map((v) => (v.version ? `${v.name} ${v.version}` : v.name)).join(', ')}`);
    }
  }
  return out;
}

export function describe(f: ModuleFacts, indent = ''): string[] {
  if (f.kind === 'module') return describeCore(f, indent);
  const out: string[] = [];
  const line = (text: string) => out.push(indent + text);
  const c = f.components ?? { imports: [], exports: [] };
  line(
    `component: ${c.imports.length} imports, ${c.exports.length} exports, ${f.modules?.length ?? 0} nested modules/components`,
  );
  line(
    `proposals (nested modules): ${f.proposals.length ? f.proposals.join(', ') : 'none beyond WebAssembly 1.0'}`,
  );
  line(`imports (${c.imports.length}):`);
  for (const i of c.imports) line(`  ${i.name}${i.kind ? `  ${i.kind}` : ''}`);
  line(`exports (${c.exports.length}):`);
  for (const e of c.exports) line(`  ${e.name}${e.kind ? `  ${e.kind}` : ''}`);
  if (c.wit) {
    line('world (WIT):');
    for (const witLine of c.wit.trimEnd().split('\n')) line(witLine ? `  ${witLine}` : '');
  }
  describeCustom(f, indent).forEach((l) => out.push(l));
  (f.modules ?? []).forEach((nested, n) => {
    const at = nested.location.kind === 'binary' ? ` at byte ${nested.location.offset}` : '';
    line(`nested ${nested.kind} ${n}${at}:`);
    out.push(...describe(nested, `${indent}    `));
  });
  return out;
}

export function reachabilityLines(labels: ModuleFacts, reach: Reachability, perExport: boolean): string[] {
  const rows = exportReachRows(labels, reach);
  const lines: string[] = [];
  if (perExport) {
    const reaching = Array.from({ length: rows.length }, (_, row) => rows.at(row)).filter(
      (e) => e.imports.length,
    );
    lines.push(
      `reachability (${reaching.length} of ${rows.length} exported functions reach imports):`,
      ...reaching.map((e) => `  ${e.name} → ${e.imports.join(', ')}`),
    );
  } else
    lines.push(
      `reachability: --reach lists the imports each of the ${rows.length} exported functions reaches`,
    );
  const neverCalled = neverCalledImports(labels, reach);
  lines.push(
    `declared but never called (${neverCalled.length})${neverCalled.length ? ':' : ''}`,
    ...neverCalled.map((name) => `  ${name}`),
  );
  return lines;
}

function problemText(p: Finding): string {
  const where =
    p.location.kind === 'binary'
      ? `byte ${p.location.offset}`
      : `${p.location.start.line + 1}:${p.location.start.character + 1}`;
  return `  ${p.severity} ${where}: ${p.message} [${p.ruleId}]`;
}

export function problemLines(problems: Finding[]): string[] {
  return [
    problems.length ? `problems (${problems.length}):` : 'problems: none',
    ...problems.map(problemText),
  ];
}
