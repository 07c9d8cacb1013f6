/**
 * Keeps a workspace of many `.wasm` files cheap to hold and to re-check:
 * - `slimFacts` drops the per-function and per-segment facts of modules nobody is looking at
 *   (the Problems panel needs only findings; the status bar only imports and counts). A module's
 *   full facts come back when its text view is opened.
 * - `ContentCache` reuses the findings of identical bytes under the same policy and settings:
 *   vendored copies of one module (in node_modules, build outputs, fixtures) are checked once.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../core/findings';
import type { ModuleFacts } from '../core/module/model';
import type { ResolvedPolicy } from '../core/policy/resolver';

export function slimFacts(facts: ModuleFacts): ModuleFacts {
  return {
    ...facts,
    functions: [],
    dataSegments: [],
    elementSegments: [],
    customSections: [],
    functionNames: {},
    ...(facts.modules ? { modules: facts.modules.map(slimFacts) } : {}),
  };
}

interface Entry {
  policy: ResolvedPolicy;
  settingsKey: string;
  facts: ModuleFacts[];
  findings: Finding[];
}

/** How many distinct modules to remember; slim entries are small. */
const CAPACITY = 4096;

export class ContentCache {
  private readonly entries = new Map<string, Entry>();

  static key(bytes: Uint8Array, detachedSignature: Uint8Array | undefined): string {
    const hash = createHash('sha256').update(bytes);
    if (detachedSignature) hash.update('\0sig\0').update(detachedSignature);
    return hash.digest('hex');
  }

  /** A result for these bytes, if it was computed under this very policy object and these settings. */
  get(key: string, policy: ResolvedPolicy, settingsKey: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.policy === policy && entry.settingsKey === settingsKey ? entry : undefined;
  }

  set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}
