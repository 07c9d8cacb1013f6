/**
 * A diff as text for a terminal and as Markdown for a pull-request comment. Sections appear only
 * when something in them changed; widening changes come first, marked `+`, narrowing ones `-`.
 */
import type { Change, LimitsChange, ModuleDiff, SetChange } from './diffSurfaces';
import { isUnchanged } from './diffSurfaces';
import { gains } from './gains';
import { limitsText, type SurfaceImport } from './surface';

export interface DiffLabels {
  before: string;
  after: string;
}

interface Section {
  title: string;
  lines: Array<{ sign: '+' | '-' | '~'; text: string }>;
}

function setLines<T>(change: SetChange<T>, text: (t: T) => string): Section['lines'] {
  return [
    ...change.added.map((t) => ({ sign: '+' as const, text: text(t) })),
    ...change.removed.map((t) => ({ sign: '-' as const, text: text(t) })),
  ];
}

function importText(i: SurfaceImport): string {
  const groups = i.capabilities.length ? ` [${i.capabilities.join(', ')}]` : '';
  return `${i.key} (${i.kind}${i.type ? ` ${i.type}` : ''})${groups}`;
}

function limitsLines(changes: LimitsChange[]): Section['lines'] {
  return changes.map((c) => {
    const show = (l: LimitsChange['before']): string =>
      l
        ? `${limitsText(l.initial, l.maximum)}${l.imported ? ' imported' : ''}${l.detail ? ` ${l.detail}` : ''}`
        : 'none';
    if (!c.before) return { sign: '+', text: `${c.key}: ${show(c.after)}` };
    if (!c.after) return { sign: '-', text: `${c.key}: ${show(c.before)}` };
    return { sign: '~', text: `${c.key}: ${show(c.before)} → ${show(c.after)}` };
  });
}

function changeLine<T>(
  change: Change<T> | undefined,
  label: string,
  show: (t: T) => string,
): Section['lines'] {
  return change ? [{ sign: '~', text: `${label}${show(change.before)} → ${show(change.after)}` }] : [];
}

function sections(diff: ModuleDiff): Section[] {
  const none = (v: string | null | undefined): string => v ?? 'none';
  const all: Section[] = [
    { title: 'Kind', lines: changeLine(diff.kind, '', String) },
    { title: 'Capability groups', lines: setLines(diff.capabilities, String) },
    {
      title: 'Imports',
      lines: [
        ...setLines(diff.imports, importText),
        ...diff.importTypes.map((t) => ({ sign: '~' as const, text: `${t.key}: ${t.before} → ${t.after}` })),
      ],
    },
    { title: 'Exports', lines: setLines(diff.exports, (e) => `${e.name} (${e.kind})`) },
    {
      title: 'Functions of component interfaces',
      lines: diff.functions.flatMap((f) => setLines(f, (text) => `${f.side} ${f.key}: ${text}`)),
    },
    { title: 'Memories', lines: limitsLines(diff.memories) },
    { title: 'Tables', lines: limitsLines(diff.tables) },
    { title: 'Start function', lines: changeLine(diff.start, '', none) },
    {
      title: 'Signatures',
      lines: [
        ...changeLine(diff.signature.signed, 'signed: ', (b) => (b ? 'yes' : 'no')),
        ...changeLine(diff.signature.status, 'verdict: ', none),
        ...setLines(diff.signature.signers, (s) => `signer ${s.keyId}${s.status ? ` (${s.status})` : ''}`),
      ],
    },
    { title: 'Proposals', lines: setLines(diff.proposals, String) },
    { title: 'Custom sections', lines: setLines(diff.customSections, String) },
    { title: 'Producers', lines: setLines(diff.producers, String) },
    {
      title: 'Nested modules',
      lines: changeLine(diff.nested, '', (n) =>
        n.length === 0
          ? 'none'
          : n.map((m) => `${m.kind} (${m.imports} imports, ${m.exports} exports)`).join(', '),
      ),
    },
  ];
  return all.filter((s) => s.lines.length > 0);
}

function sizeText(diff: ModuleDiff): string {
  const { before, after } = diff.size;
  const delta = after - before;
  return `${before} → ${after} bytes (${delta >= 0 ? '+' : ''}${delta})`;
}

export function formatDiffText(diff: ModuleDiff, labels: DiffLabels): string {
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`, `Size: ${sizeText(diff)}`];
  if (isUnchanged(diff)) {
    out.push('No change in capabilities, imports, exports, limits, signatures or metadata.');
    return `${out.join('\n')}\n`;
  }
  const gained = gains(diff);
  out.push(
    gained.length === 0
      ? 'Gained: nothing'
      : `Gained (${gained.length}): ${gained.map((g) => g.text).join('; ')}`,
  );
  for (const section of sections(diff)) {
    out.push('', `${section.title}:`);
    for (const line of section.lines) out.push(`  ${line.sign} ${line.text}`);
  }
  return `${out.join('\n')}\n`;
}

/** Inline code in Markdown, safe for names holding backticks. */
function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A code fence longer than any run of backticks inside (import names are arbitrary strings). */
function fenceFor(lines: string[]): string {
  const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((run) => run.length)));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function formatDiffMarkdown(diff: ModuleDiff, labels: DiffLabels): string {
  const out = [`### Wasm Warden diff: ${code(labels.before)} → ${code(labels.after)}`, ''];
  out.push(`Size: ${sizeText(diff)}`, '');
  if (isUnchanged(diff)) {
    out.push('No change in capabilities, imports, exports, limits, signatures or metadata.');
    return `${out.join('\n')}\n`;
  }
  const gained = gains(diff);
  if (gained.length === 0)
    out.push('**Gained:** nothing — this version does not widen what the module can do.');
  else {
    out.push(`**Gained (${gained.length}):**`, '');
    for (const g of gained) out.push(`- ⚠️ ${g.text}`);
  }
  for (const section of sections(diff)) {
    const lines = section.lines.map((line) => `${line.sign === '~' ? '!' : line.sign} ${line.text}`);
    const fence = fenceFor(lines);
    out.push('', `<details><summary>${section.title} (${lines.length})</summary>`, '', `${fence}diff`);
    out.push(...lines, fence, '', '</details>');
  }
  return `${out.join('\n')}\n`;
}
