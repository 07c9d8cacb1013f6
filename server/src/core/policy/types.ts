/**
 * What the rules read from a policy: the resolved, effective policy for one module file (after
 * discovery, `extends` and `overrides`). The policy reader in this folder produces it; rules and
 * hovers consume it. Every decision can name the policy line that made it (`PolicyPointer`).
 */
import type { Finding, PolicyPointer, Severity } from '../findings';
import type { Setting } from './layer';
import type { HttpMockResponse, HttpRequestSpec } from './httpSpec';

export type ImportDecision = 'allow' | 'warn' | 'deny';

export interface ImportVerdict {
  decision: ImportDecision;
  /** Capability group of the import (`filesystem`, `network`, ...), when it belongs to one. */
  capability?: string;
  /** The pattern, capability or `otherwise` entry that decided, with its place in the policy file. */
  decidedBy: PolicyPointer;
  /** One sentence a user can read: `denied by "env.*" in imports.deny`. */
  reason: string;
}

export interface MemoryPolicy {
  /** Largest allowed size in 64 KiB pages (converted from maxBytes when given in bytes); undefined = no limit. */
  maxPages?: number;
  maxBytes?: number;
  requireMaximum: boolean;
  allowShared: boolean;
  allowMemory64: boolean;
  allowImported: boolean;
  /** Where each field was decided (key = field name). */
  decidedBy: Partial<
    Record<
      'maxPages' | 'maxBytes' | 'requireMaximum' | 'allowShared' | 'allowMemory64' | 'allowImported',
      PolicyPointer
    >
  >;
}

export interface SignaturePolicy {
  required: boolean;
  /** Absolute paths of trusted public key files. */
  trustedKeys: string[];
  allowPartial: boolean;
  decidedBy: Partial<Record<'required' | 'trustedKeys' | 'allowPartial', PolicyPointer>>;
}

export interface SandboxPreopen {
  /** Absolute host path. */
  host: string;
  guest: string;
  mode: 'ro' | 'rw';
}

export interface SandboxPolicy {
  timeoutMs: number;
  /** Units of work (docs/metering.md) after which the run stops as `fuel-exhausted`; absent = no limit. */
  fuel?: number;
  /**
   * How fuel is counted (docs/metering.md): `exact` (every instruction the run executes) or
   * `bound` (charged ahead: fewer charges, at least the exact count); absent = the default (bound).
   */
  fuelCounting?: 'exact' | 'bound';
  /** Bytes. */
  maxMemory: number;
  preopens: SandboxPreopen[];
  env: Record<string, string>;
  args: string[];
  network: { allow: string[] };
  /** Components with `wasi:http/proxy`: requests to send them and canned answers to their outgoing requests. */
  http?: { requests: HttpRequestSpec[]; mock: Record<string, HttpMockResponse> };
  alerts: { memoryPercent: number; slowMs: number };
  /** WASI clock / random: real values, or fixed/deterministic ones. */
  clock: 'real' | 'fixed';
  random: 'real' | 'fixed';
}

export type RuleSetting = Severity | 'off';

/** The import settings in force, as plain data (so a policy can be sent to a worker thread). */
export interface ImportRules {
  deny: Setting[];
  allow: Setting[];
  capabilities: Setting[];
  otherwise?: Setting;
  /** Who decides when the policy has no `imports.otherwise`. */
  otherwiseFallback: PolicyPointer;
  /** Findings on imports no code calls: `lower` (one severity level down, the default) or `keep`. */
  neverCalled?: Setting;
}

export interface EffectivePolicy {
  /** The policy file in force (absolute path), or a built-in policy's name. */
  source:
    { kind: 'file'; path: string } | { kind: 'default' } | { kind: 'strict-fallback'; brokenPath: string };
  /** The import settings `checkImport` decides by (plain data, unlike the function). */
  imports: ImportRules;
  /** Decides one import (`module`, `name`) — core module imports and component imports alike. */
  checkImport(module: string, name: string): ImportVerdict;
  memory: MemoryPolicy;
  signature: SignaturePolicy;
  sandbox: SandboxPolicy;
  /** Severity overrides by rule id, from the policy's `rules` map. */
  rules: Record<string, RuleSetting>;
  /** Where each entry of `rules` is, for "turn this rule off" fixes and for findings. */
  rulesDecidedBy: Record<string, PolicyPointer>;
  /** Target runtime feature set for `unsupported-feature` (proposal names), if the policy names one. */
  runtime?: { name?: string; features?: string[] };
  /** The world components must fit (`imports.world`), resolved, or why it cannot be used. */
  world?: import('./requiredWorld').PolicyWorld;
  /** Problems with the policy itself (shown in the policy file; a broken policy also adds one to each module). */
  problems: Finding[];
}
