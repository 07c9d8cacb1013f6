/**
 * Runs the registered rules over one module: resolves each rule's setting (override > policy
 * `rules` map > rule default), skips rules that are off before they cost anything, and builds
 * each rule's context with its `report()` helper.
 */
import type { Finding, PolicyPointer, Severity } from '../findings';
import type { ModuleFacts } from '../module/model';
import type { EffectivePolicy, RuleSetting } from '../policy/types';
import { RULES } from './registry';
import type { Baseline } from './capabilityChange';
import { formatMessage, type CodeView, type ReportDescriptor, type Rule, type SignatureCheck } from './rule';

export interface ResolvedSetting {
  setting: RuleSetting;
  /** Set explicitly by the user (policy `rules` map or an override), not the rule's default. */
  configured: boolean;
  decidedBy?: PolicyPointer;
}

/** Which setting is in force for a rule: CLI/editor overrides beat the policy, which beats the default. */
export function resolveSetting(
  rule: Rule,
  policy: EffectivePolicy,
  overrides: Record<string, RuleSetting> = {},
): ResolvedSetting {
  const id = rule.meta.id;
  if (Object.prototype.hasOwnProperty.call(overrides, id))
    return { setting: overrides[id], configured: true };
  if (Object.prototype.hasOwnProperty.call(policy.rules, id)) {
    return { setting: policy.rules[id], configured: true, decidedBy: policy.rulesDecidedBy[id] };
  }
  return { setting: rule.meta.defaultSeverity, configured: false };
}

/** The rules that will run for this policy (everything not `off`). */
export function activeRules(
  policy: EffectivePolicy,
  overrides?: Record<string, RuleSetting>,
  rules: readonly Rule[] = RULES,
): Rule[] {
  return rules.filter((rule) => resolveSetting(rule, policy, overrides).setting !== 'off');
}

export interface RunRulesInput {
  facts: ModuleFacts;
  policy: EffectivePolicy;
  bytes?: Uint8Array;
  text?: string;
  nested?: boolean;
  /** Called at most once, and only if an active rule needs function bodies. */
  code?: () => CodeView | undefined;
  /** The signature verdict, computed by the caller when an active rule needs it. */
  signature?: SignatureCheck;
  ruleOverrides?: Record<string, RuleSetting>;
  rules?: readonly Rule[];
  /** The version to compare with, for `capability-change` (outermost module only). */
  baseline?: Baseline;
}

export function runRules(input: RunRulesInput): Finding[] {
  const findings: Finding[] = [];
  let code: CodeView | undefined;
  let codeLoaded = false;
  const loadCode = (): CodeView | undefined => {
    if (!codeLoaded) {
      codeLoaded = true;
      code = input.code?.();
    }
    return code;
  };

  for (const rule of input.rules ?? RULES) {
    const resolved = resolveSetting(rule, input.policy, input.ruleOverrides);
    if (resolved.setting === 'off') continue;
    const forced: Severity | undefined = resolved.configured ? resolved.setting : undefined;
    const fallback: Severity = rule.meta.defaultSeverity === 'off' ? 'info' : rule.meta.defaultSeverity;
    const report = (d: ReportDescriptor<string>): Finding => {
      const finding: Finding = {
        ruleId: rule.meta.id,
        severity: forced ?? d.severity ?? fallback,
        message: formatMessage(rule.meta.messages[d.messageId] ?? d.messageId, d.data),
        location: d.location,
      };
      const decidedBy = d.decidedBy ?? resolved.decidedBy;
      if (decidedBy) finding.decidedBy = decidedBy;
      if (d.fix) finding.data = d.fix;
      return finding;
    };
    try {
      findings.push(
        ...rule.check({
          facts: input.facts,
          policy: input.policy,
          bytes: input.bytes,
          text: input.text,
          nested: input.nested ?? false,
          code: rule.meta.needsCode ? loadCode() : undefined,
          signature: rule.meta.needsSignature ? input.signature : undefined,
          configured: resolved.configured,
          baseline: input.baseline,
          report,
        }),
      );
    } catch (error) {
      // A rule bug must not hide the other rules' findings, nor crash the server.
      findings.push({
        ruleId: rule.meta.id,
        severity: 'warning',
        message: `Rule "${rule.meta.id}" could not finish on this module: ${(error as Error)?.message ?? String(error)}`,
        location: input.facts.location,
      });
    }
  }
  // Messages quote slices of a module's data (a URL, a build path); V8 keeps the whole decoded
  // section alive behind such a slice. A JSON round trip gives each finding strings of its own, so
  // whoever holds findings (a check of 1,000 files, the server) does not also hold the modules.
  return JSON.parse(JSON.stringify(findings)) as Finding[];
}
