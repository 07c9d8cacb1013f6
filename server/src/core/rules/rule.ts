/**
 * The shape of a security rule. A rule is pure: it reads module facts and the effective policy (and,
 * only when it says it needs them, function-body statistics or the signature verdict) and returns
 * findings. The runner (`runner.ts`) decides whether it runs and at which severity.
 */
import type { Finding, PolicyPointer, Severity } from '../findings';
import type { SourceLocation } from '../location';
import type { OpcodeCounts } from '../module/code';
import type { ModuleFacts, Proposal } from '../module/model';
import type { Reachability } from '../reach/reachability';
import type { EffectivePolicy, RuleSetting } from '../policy/types';
import type { SignatureReport } from '../signing';
import type { Baseline } from '../diff/surface';

/** Per-function opcode statistics from the lazy scan of the code section (`module/code.ts`). */
export interface FunctionCodeStats {
  funcIndex: number;
  /** Read its fields; it may be a view of packed counts (packedStats.ts), which a spread does not copy. */
  counts: OpcodeCounts;
  /** The function's body (binary) or its `(func` span (text). */
  location: SourceLocation;
}

/** Function bodies, decoded on first use only. */
export interface CodeView {
  functions(): FunctionCodeStats[];
  /**
   * Only the functions whose raw body bytes pass `prefilter` (a cheap test that must never reject
   * a body the rule would match); the others are not decoded at all. The prefilter sees the whole
   * file (as a Buffer, for its native search) and the body's [start, end).
   */
  functionsWhere(prefilter: (file: Buffer, start: number, end: number) => boolean): FunctionCodeStats[];
  /** Proposals only visible in instructions and locals (SIMD, atomics, tail calls...). */
  proposals(): Proposal[];
  /** The call graph and what it reaches, built on first use; undefined for components. */
  reachability(): Reachability | undefined;
}

/** The signing module's verdict on one binary, and how many trusted keys it was checked against. */
export interface SignatureCheck {
  report: SignatureReport;
  trustedKeyCount: number;
  /** Trusted key files that could not be loaded (each message names the file). */
  keyErrors: string[];
}

export interface RuleMeta<MessageId extends string> {
  id: string;
  /** One line, shown in lists and SARIF. */
  description: string;
  /** Why it matters, a sentence or two. */
  rationale: string;
  defaultSeverity: RuleSetting;
  /** The policy fields this rule reads (dotted paths), for docs and hovers. */
  policyFields: string[];
  /** Reads function bodies: the runner decodes them only when such a rule is on. */
  needsCode: boolean;
  /**
   * Reads the call graph when bodies are at hand (`code`), and works without it: a text module's
   * first pass runs it without code, the complete pass again with code.
   */
  usesCallGraph?: boolean;
  /** Reads the signature verdict: the runner verifies only when such a rule is on. */
  needsSignature?: boolean;
  /** Message templates; `{{name}}` placeholders are filled from the report's `data`. */
  messages: Record<MessageId, string>;
}

export interface ReportDescriptor<MessageId extends string> {
  messageId: MessageId;
  location: SourceLocation;
  /** Values for the message placeholders. */
  data?: Record<string, string | number>;
  /** This finding's natural severity; a configured setting overrides it. Defaults to the rule's. */
  severity?: Severity;
  decidedBy?: PolicyPointer;
  /** Plain JSON for quick fixes and tooling (kept on the finding as `data`). */
  fix?: Record<string, unknown>;
}

export interface RuleContext<MessageId extends string> {
  facts: ModuleFacts;
  policy: EffectivePolicy;
  /** The whole file, for binary modules (data and custom section contents are read from it). */
  bytes?: Uint8Array;
  /** The source text, for `.wat` modules. */
  text?: string;
  /** True for core modules nested in a component (their imports are internal wiring). */
  nested: boolean;
  /** Present when the rule's meta says `needsCode` (or `usesCallGraph`) and bodies could be decoded. */
  code?: CodeView;
  /** Present when the rule's meta says `needsSignature` and the module is a binary. */
  signature?: SignatureCheck;
  /** Whether the user set this rule explicitly (policy `rules` or an override). */
  configured: boolean;
  /** The version to compare with (`check --baseline`, the editor's git HEAD), for `capability-change`. */
  baseline?: Baseline;
  report(descriptor: ReportDescriptor<MessageId>): Finding;
}

export interface Rule<MessageId extends string = string> {
  meta: RuleMeta<MessageId>;
  check(context: RuleContext<MessageId>): Finding[];
}

/** Ties message ids to their templates at compile time, the way typescript-eslint's createRule does. */
export function createRule<MessageId extends string>(rule: Rule<MessageId>): Rule<MessageId> {
  return rule;
}

/** Fills `{{name}}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    key in data ? String(data[key]) : whole,
  );
}
