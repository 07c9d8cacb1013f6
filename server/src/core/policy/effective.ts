/**
 * Folds ordered policy layers into the EffectivePolicy the rules read. Later layers replace
 * earlier ones field by field; import lists add up; map fields (`rules`, `sandbox.env`) merge by
 * key. Every value keeps the pointer of the layer that set it.
 */
import * as path from 'node:path';
import type { PolicyPointer } from '../findings';
import { capabilitiesCoveringImport, capabilityOfImport } from '../wasi/catalogue';
import { ACCUMULATING_PATHS, type PolicyLayer, type Setting } from './layer';
import { importSubjects, normaliseImport, compilePattern } from './patterns';
import { WASM_PAGE_SIZE } from './sizes';
import type { HttpMockResponse, HttpRequestSpec } from './httpSpec';
import type {
  EffectivePolicy,
  ImportDecision,
  ImportRules,
  ImportVerdict,
  MemoryPolicy,
  RuleSetting,
  SandboxPolicy,
  SandboxPreopen,
  SignaturePolicy,
} from './types';

/** The winning settings of a stack of layers. */
class MergedSettings {
  private readonly single = new Map<string, Setting>();
  private readonly lists = new Map<string, Setting[]>();
  private readonly maps = new Map<string, Map<string, Setting>>();

  constructor(layers: PolicyLayer[]) {
    for (const layer of layers) {
      for (const setting of layer.settings) {
        if (ACCUMULATING_PATHS.has(setting.path)) {
          this.lists.set(setting.path, [...(this.lists.get(setting.path) ?? []), setting]);
        } else if (setting.key !== undefined) {
          const map = this.maps.get(setting.path) ?? new Map<string, Setting>();
          map.set(setting.key, setting);
          this.maps.set(setting.path, map);
        } else {
          this.single.set(setting.path, setting);
        }
      }
    }
  }

  get(path: string): Setting | undefined {
    return this.single.get(path);
  }
  value<T>(path: string, fallback: T): T {
    return (this.single.get(path)?.value as T | undefined) ?? fallback;
  }
  list(path: string): Setting[] {
    return this.lists.get(path) ?? [];
  }
  map(path: string): Setting[] {
    return [...(this.maps.get(path)?.values() ?? [])];
  }
}

function memoryPolicy(merged: MergedSettings): MemoryPolicy {
  const decidedBy: MemoryPolicy['decidedBy'] = {};
  const flag = (field: 'requireMaximum' | 'allowShared' | 'allowMemory64' | 'allowImported'): boolean => {
    const setting = merged.get(`memory.${field}`);
    if (setting) decidedBy[field] = setting.pointer;
    return setting?.value === true;
  };
  const memory: MemoryPolicy = {
    requireMaximum: flag('requireMaximum'),
    allowShared: flag('allowShared'),
    allowMemory64: flag('allowMemory64'),
    allowImported: flag('allowImported'),
    decidedBy,
  };
  // maxPages and maxBytes are one limit in two units: the smaller wins and both fields report it.
  const pages = merged.get('memory.maxPages');
  const bytes = merged.get('memory.maxBytes');
  const fromBytes = bytes ? Math.floor((bytes.value as number) / WASM_PAGE_SIZE) : undefined;
  const winner = pages && (fromBytes === undefined || (pages.value as number) <= fromBytes) ? pages : bytes;
  if (winner) {
    memory.maxPages = winner === pages ? (pages.value as number) : fromBytes;
    memory.maxBytes = winner === pages ? (pages.value as number) * WASM_PAGE_SIZE : (bytes?.value as number);
    decidedBy.maxPages = winner.pointer;
    decidedBy.maxBytes = winner.pointer;
  }
  return memory;
}

function signaturePolicy(merged: MergedSettings): SignaturePolicy {
  const decidedBy: SignaturePolicy['decidedBy'] = {};
  for (const field of ['required', 'trustedKeys', 'allowPartial'] as const) {
    const setting = merged.get(`signature.${field}`);
    if (setting) decidedBy[field] = setting.pointer;
  }
  return {
    required: merged.value('signature.required', false),
    trustedKeys: merged.value<string[]>('signature.trustedKeys', []),
    allowPartial: merged.value('signature.allowPartial', false),
    decidedBy,
  };
}

function sandboxPolicy(merged: MergedSettings): SandboxPolicy {
  const fuel = merged.value<SandboxPolicy['fuel'] | null>('sandbox.fuel', null);
  const fuelCounting = merged.value<SandboxPolicy['fuelCounting'] | null>('sandbox.fuelCounting', null);
  return {
    timeoutMs: merged.value('sandbox.timeoutMs', 5000),
    maxMemory: merged.value('sandbox.maxMemory', 256 * 1024 * 1024),
    // Absent: unlimited (fuel is still counted) and the default counting; kept off the object so
    // policies compare as before.
    ...(fuel != null && { fuel }),
    ...(fuelCounting != null && { fuelCounting }),
    preopens: merged.value<SandboxPreopen[]>('sandbox.preopens', []),
    env: Object.fromEntries(merged.map('sandbox.env').map((s) => [s.key as string, s.value as string])),
    args: merged.value<string[]>('sandbox.args', []),
    network: { allow: merged.value<string[]>('sandbox.network.allow', []) },
    http: {
      requests: merged.value<HttpRequestSpec[]>('sandbox.http.requests', []),
      mock: merged.value<Record<string, HttpMockResponse>>('sandbox.http.mock', {}),
    },
    alerts: {
      memoryPercent: merged.value('sandbox.alerts.memoryPercent', 90),
      slowMs: merged.value('sandbox.alerts.slowMs', 1000),
    },
    clock: merged.value('sandbox.clock', 'real'),
    random: merged.value('sandbox.random', 'real'),
  };
}

/** Verdicts kept per policy: modules import the same few names again and again. */
const MAX_CACHED_VERDICTS = 4096;

function importRules(merged: MergedSettings, otherwiseFallback: PolicyPointer): ImportRules {
  return {
    deny: merged.list('imports.deny'),
    allow: merged.list('imports.allow'),
    capabilities: merged.list('imports.capabilities'),
    otherwise: merged.get('imports.otherwise'),
    otherwiseFallback,
    neverCalled: merged.get('imports.neverCalled'),
  };
}

/** Decides imports: deny patterns first (deny beats allow), then allow patterns, capabilities, `otherwise`. */
export function importChecker(rules: ImportRules): EffectivePolicy['checkImport'] {
  const compile = (settings: Setting[]) =>
    settings.map((setting) => ({ setting, matches: compilePattern(setting.value as string) }));
  const deny = compile(rules.deny);
  const allow = compile(rules.allow);
  const { capabilities, otherwise, otherwiseFallback } = rules;
  const where = (pointer: PolicyPointer) => {
    const line = pointer.location?.kind === 'text' ? `:${pointer.location.start.line + 1}` : '';
    return ` (${path.basename(pointer.file)}${line})`;
  };
  const decide = (module: string, name: string): ImportVerdict => {
    const capability = capabilityOfImport(module, name);
    const subjects = importSubjects(module, name);
    const first = (list: typeof deny) => list.find(({ matches }) => subjects.some(matches))?.setting;
    const denied = first(deny);
    if (denied) {
      return {
        decision: 'deny',
        capability,
        decidedBy: denied.pointer,
        reason: `denied by ${denied.pointer.text} in imports.deny${where(denied.pointer)}`,
      };
    }
    const allowed = first(allow);
    if (allowed) {
      return {
        decision: 'allow',
        capability,
        decidedBy: allowed.pointer,
        reason: `allowed by ${allowed.pointer.text} in imports.allow${where(allowed.pointer)}`,
      };
    }
    const covering = capabilitiesCoveringImport(module, name);
    const granted = capabilities.find((s) => covering.includes(s.value as never));
    if (granted) {
      return {
        decision: 'allow',
        capability,
        decidedBy: granted.pointer,
        reason: `allowed by the capability ${granted.pointer.text} in imports.capabilities${where(granted.pointer)}`,
      };
    }
    const decision = (otherwise?.value as ImportDecision | undefined) ?? 'deny';
    const pointer = otherwise?.pointer ?? otherwiseFallback;
    const verb = decision === 'allow' ? 'allowed' : decision === 'warn' ? 'not allowed (warning)' : 'denied';
    return {
      decision,
      capability,
      decidedBy: pointer,
      reason: `${verb}: matched by no pattern or capability, so ${pointer.text} decides${where(pointer)}`,
    };
  };
  const verdicts = new Map<string, ImportVerdict>();
  return (rawModule: string, rawName: string): ImportVerdict => {
    const { module, name } = normaliseImport(rawModule, rawName);
    const key = `${module}\u0000${name}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = decide(module, name);
      if (verdicts.size >= MAX_CACHED_VERDICTS) verdicts.clear();
      verdicts.set(key, verdict);
    }
    return verdict;
  };
}

export function buildEffectivePolicy(
  layers: PolicyLayer[],
  source: EffectivePolicy['source'],
  otherwiseFallback: PolicyPointer,
): EffectivePolicy {
  const merged = new MergedSettings(layers);
  const rules: Record<string, RuleSetting> = {};
  const rulesDecidedBy: Record<string, PolicyPointer> = {};
  for (const setting of merged.map('rules')) {
    rules[setting.key as string] = setting.value as RuleSetting;
    rulesDecidedBy[setting.key as string] = setting.pointer;
  }
  const runtime = merged.get('runtime')?.value as EffectivePolicy['runtime'] | undefined;
  const world = merged.get('imports.world')?.value as EffectivePolicy['world'] | undefined;
  const imports = importRules(merged, otherwiseFallback);
  return {
    source,
    imports,
    checkImport: importChecker(imports),
    memory: memoryPolicy(merged),
    signature: signaturePolicy(merged),
    sandbox: sandboxPolicy(merged),
    rules,
    rulesDecidedBy,
    ...(runtime ? { runtime } : {}),
    ...(world ? { world } : {}),
    problems: [],
  };
}

/** A policy as plain data, for another thread: everything but the `checkImport` function. */
export type PlainPolicy = Omit<EffectivePolicy, 'checkImport'>;

export function toPlainPolicy(policy: EffectivePolicy): PlainPolicy {
  const { checkImport: _checkImport, ...plain } = policy;
  return plain;
}

/** The policy again, its import checker rebuilt from the plain import settings. */
export function fromPlainPolicy(plain: PlainPolicy): EffectivePolicy {
  return { ...plain, checkImport: importChecker(plain.imports) };
}
