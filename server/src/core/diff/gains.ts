/**
 * Which changes of a diff widen what a module can do (the rollout gate refuses these) and which
 * narrow it. One sentence each, shared by the `capability-change` rule and the editor's lens.
 */
import type { LimitsChange, ModuleDiff } from './diffSurfaces';
import { limitsText } from './surface';

export type GainKind = 'capability' | 'import' | 'memory' | 'table' | 'start' | 'signature';

export interface Gain {
  kind: GainKind;
  /** A short phrase: `capability group "network" (wasi:sockets/tcp@0.2.0)`. */
  text: string;
  /** What it is about: an import's key (the first import bringing a group), `memory 0`, `table 1`. */
  key?: string;
}

function ceiling(maximum: number | null): number {
  return maximum === null ? Infinity : maximum;
}

function limitsGain(change: LimitsChange, what: 'memory' | 'table'): Gain | undefined {
  const { before, after } = change;
  if (!after) return undefined;
  const key = change.key;
  if (!before) return { kind: what, key, text: `new ${key} (${limitsText(after.initial, after.maximum)})` };
  if (ceiling(after.maximum) > ceiling(before.maximum))
    return {
      kind: what,
      key,
      text: `${change.key} ceiling raised from ${limitsText(before.initial, before.maximum)} to ${limitsText(after.initial, after.maximum)}`,
    };
  if (what === 'memory' && after.detail.includes('shared') && !before.detail.includes('shared'))
    return { kind: what, key, text: `${change.key} became shared` };
  return undefined;
}

/** Names of functions added (not merely re-typed) in one interface's function change. */
function newFunctionNames(change: ModuleDiff['functions'][number]): string[] {
  const nameOf = (wit: string): string => wit.slice(0, wit.indexOf(': '));
  const kept = new Set(change.removed.map(nameOf));
  return change.added.map(nameOf).filter((n) => !kept.has(n));
}

/** Everything NEW can do that OLD could not, in a fixed order: groups, imports, limits, start, signature. */
export function gains(diff: ModuleDiff): Gain[] {
  const out: Gain[] = [];
  const newGroups = new Set<string>(diff.capabilities.added);
  for (const group of diff.capabilities.added) {
    const via = diff.imports.added.filter((i) => i.capabilities.includes(group)).map((i) => i.key);
    out.push({
      kind: 'capability',
      text: `capability group "${group}"${via.length ? ` (${via.join(', ')})` : ''}`,
      ...(via.length ? { key: via[0] } : {}),
    });
  }
  for (const i of diff.imports.added) {
    if (i.capabilities.some((c) => newGroups.has(c))) continue;
    out.push({ kind: 'import', text: `import ${i.key}${i.type ? ` ${i.type}` : ''}`, key: i.key });
  }
  // A component interface kept in both versions that now brings a function it did not.
  for (const f of diff.functions)
    for (const name of newFunctionNames(f)) {
      if (f.side === 'import') out.push({ kind: 'import', text: `import ${f.key}#${name}`, key: f.key });
    }
  for (const change of diff.memories) {
    const g = limitsGain(change, 'memory');
    if (g) out.push(g);
  }
  for (const change of diff.tables) {
    const g = limitsGain(change, 'table');
    if (g) out.push(g);
  }
  if (diff.start?.after) out.push({ kind: 'start', text: `start function ${diff.start.after}` });
  out.push(...signatureGains(diff));
  return out;
}

/** Losing a signature, or a change of signer, is a loss of provenance: the gate treats it as a widening. */
function signatureGains(diff: ModuleDiff): Gain[] {
  const sig = diff.signature;
  if (sig.signed?.before && !sig.signed.after) return [{ kind: 'signature', text: 'signature removed' }];
  const out: Gain[] = [];
  // Signing a module that was unsigned narrows nothing it can do; only a change of signer counts.
  if (sig.signed) return out;
  const added = sig.signers.added.map((s) => s.keyId);
  const removed = sig.signers.removed.map((s) => s.keyId);
  const newIds = added.filter((id) => !removed.includes(id));
  const gone = removed.filter((id) => !added.includes(id));
  if (newIds.length || gone.length) {
    const parts: string[] = [];
    if (newIds.length) parts.push(`now ${newIds.join(', ')}`);
    if (gone.length) parts.push(`no longer ${gone.join(', ')}`);
    out.push({ kind: 'signature', text: `signers changed: ${parts.join('; ')}` });
  }
  if (sig.status && sig.status.before === 'valid' && sig.status.after !== 'valid')
    out.push({
      kind: 'signature',
      text: `signature no longer trusted (${sig.status.after ?? 'unverified'})`,
    });
  return out;
}

/** What OLD could do that NEW cannot: the other direction, for the lens and the summary. */
export function losses(diff: ModuleDiff): string[] {
  const out: string[] = [];
  const goneGroups = new Set<string>(diff.capabilities.removed);
  for (const group of diff.capabilities.removed) out.push(`capability group "${group}"`);
  for (const i of diff.imports.removed)
    if (!i.capabilities.some((c) => goneGroups.has(c))) out.push(`import ${i.key}`);
  for (const f of diff.functions)
    if (f.side === 'import')
      for (const name of newFunctionNames({ ...f, added: f.removed, removed: f.added }))
        out.push(`import ${f.key}#${name}`);
  for (const change of diff.memories) {
    if (change.before && !change.after) out.push(`${change.key}`);
    else if (change.before && change.after && ceiling(change.after.maximum) < ceiling(change.before.maximum))
      out.push(`${change.key} ceiling ${limitsText(change.before.initial, change.before.maximum)}`);
  }
  if (diff.start?.before && !diff.start.after) out.push(`start function ${diff.start.before}`);
  return out;
}
