/**
 * Runs the registered rules over one module: resolves each rule's setting (override > policy
 * `rules` map > rule default), skips rules that are off before they cost anything, and builds
 * each rule's context with its `report()` helper.
 */
import type { Finding } from '../findings';
import type { ModuleFacts } from '../module/model';
import type { EffectivePolicy, RuleSetting } from '../policy/types';
import { planRules, type RulePlan } from './plan';
import { RULES } from './registry';
import type { Baseline } from '../diff/surface';
import { formatMessage, type CodeView, type ReportDescriptor, type Rule, type SignatureCheck } from './rule';

export { resolveSetting, type ResolvedSetting } from './plan';

/** The rules that will run for this policy (everything not `off`). */
export function activeRules(
  policy: EffectivePolicy,
  overrides?: Record<string, RuleSetting>,
  rules: readonly Rule[] = RULES,
): Rule[] {
  return planRules(policy, overrides, rules).rules.map((p) => p.rule);
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
  /** Only these rules (tests); otherwise every registered rule. Ignored when `plan` is given. */
  rules?: readonly Rule[];
  /** The plan the caller made once for this policy (see plan.ts); made here when absent. */
  plan?: RulePlan;
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

  // Rules that only use the call graph when they have to say something get a view that
  // decodes nothing until they ask.
  const onDemand: CodeView | undefined = input.code && {
    functions: () => loadCode()?.functions() ?? [],
    functionsWhere: (prefilter) => loadCode()?.functionsWhere(prefilter) ?? [],
    proposals: () => loadCode()?.proposals() ?? [],
    reachability: () => loadCode()?.reachability(),
  };

  const plan = input.plan ?? planRules(input.policy, input.ruleOverrides, input.rules);
  for (const { rule, resolved, forced, fallback } of plan.rules) {
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
          code: rule.meta.needsCode ? loadCode() : rule.meta.usesCallGraph ? onDemand : undefined,
          signature: rule.meta.needsSignature ? input.signature : undefined,
          configured: resolved.configured,
          baseline: input.baseline,
          report,
        }),
      );
    } catch (error) {
      // A rule bug must not hide the other rules' findings, nor crash the server; and a check
      // that could not finish has not cleared the module, so it fails closed: an error unless
      // the policy set this rule's severity itself.
      findings.push({
        ruleId: rule.meta.id,
        severity: forced ?? 'error',
        message: `Rule "${rule.meta.id}" could not finish on this module, so the module is not cleared by it: ${(error as Error)?.message ?? String(error)}`,
        location: input.facts.location,
      });
    }
  }
  // Messages quote slices of a module's data (a URL, a build path); V8 keeps the whole decoded
  // section alive behind such a slice. A JSON round trip gives each finding strings of its own, so
  // whoever holds findings (a check of 1,000 files, the server) does not also hold the modules.
  return JSON.parse(JSON.stringify(findings)) as Finding[];
}
