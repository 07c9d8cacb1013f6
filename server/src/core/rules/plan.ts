/**
 * The rule plan: which rules run on a module, at what setting, and what they need (function
 * bodies, the signature verdict). Decided once per analysis from the policy and the overrides,
 * then handed to the runner, so the pipeline and the runner never disagree about a rule.
 */
import type { PolicyPointer, Severity } from '../findings';
import type { EffectivePolicy, RuleSetting } from '../policy/types';
import { RULES } from './registry';
import type { Rule } from './rule';

export interface ResolvedSetting {
  setting: RuleSetting;
  /** Set explicitly by the user (policy `rules` map or an override), not the rule's default. */
  configured: boolean;
  decidedBy?: PolicyPointer;
}

/** One rule that will run, with the severity its findings get. */
export interface PlannedRule {
  rule: Rule;
  resolved: ResolvedSetting;
  /** The user's setting, which beats the severity a rule picks per finding. */
  forced?: Severity;
  /** The severity of a finding whose rule picks none. */
  fallback: Severity;
}

export interface RulePlan {
  /** The rules that run, in registry order (never one that is `off`). */
  rules: readonly PlannedRule[];
  /** Some rule reads function bodies: the caller prepares a code view. */
  needsCode: boolean;
  /** Some rule reads the signature verdict: the caller verifies signatures. */
  needsSignature: boolean;
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

/** Plans the rules for one policy and set of overrides. */
export function planRules(
  policy: EffectivePolicy,
  overrides?: Record<string, RuleSetting>,
  rules: readonly Rule[] = RULES,
): RulePlan {
  const planned: PlannedRule[] = [];
  for (const rule of rules) {
    const resolved = resolveSetting(rule, policy, overrides);
    if (resolved.setting === 'off') continue;
    planned.push({
      rule,
      resolved,
      forced: resolved.configured ? (resolved.setting as Severity) : undefined,
      fallback: rule.meta.defaultSeverity === 'off' ? 'info' : rule.meta.defaultSeverity,
    });
  }
  return {
    rules: planned,
    needsCode: planned.some((p) => p.rule.meta.needsCode),
    needsSignature: planned.some((p) => p.rule.meta.needsSignature),
  };
}

/** The part of a plan whose rules do (or do not) read function bodies: a text analysis runs them in two steps. */
export function splitByCode(plan: RulePlan): { withoutCode: RulePlan; withCode: RulePlan } {
  const part = (code: boolean): RulePlan => {
    const rules = plan.rules.filter((p) => Boolean(p.rule.meta.needsCode) === code);
    return {
      rules,
      needsCode: code && rules.length > 0,
      needsSignature: rules.some((p) => p.rule.meta.needsSignature),
    };
  };
  return { withoutCode: part(false), withCode: part(true) };
}
