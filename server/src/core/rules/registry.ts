/** Every rule Wasm Warden ships, in the order their findings are listed. Rule ids are stable. */
import { capabilityChange } from './capabilityChange';
import { cryptominer } from './cryptominer';
import { dangerousImport } from './dangerousImport';
import { debugInfo } from './debugInfo';
import { disallowedImport } from './disallowedImport';
import { invalidSignature } from './invalidSignature';
import { memoryLimit } from './memoryLimit';
import { missingSignature } from './missingSignature';
import type { Rule } from './rule';
import type { RuleSetting } from '../policy/types';
import { startFunction } from './startFunction';
import { suspiciousData } from './suspiciousData';
import { tableExposure } from './tableExposure';
import { unsupportedFeature } from './unsupportedFeature';
import { untrustedSignature } from './untrustedSignature';
import { worldConformance } from './worldConformance';

export const RULES: readonly Rule[] = [
  disallowedImport,
  worldConformance,
  memoryLimit,
  missingSignature,
  invalidSignature,
  untrustedSignature,
  dangerousImport,
  startFunction,
  tableExposure,
  suspiciousData,
  cryptominer,
  debugInfo,
  unsupportedFeature,
  capabilityChange,
] as Rule[];

export function findRule(id: string): Rule | undefined {
  return RULES.find((rule) => rule.meta.id === id);
}

export function ruleIds(): string[] {
  return RULES.map((rule) => rule.meta.id);
}

/** What SARIF and help texts say about a rule (the CLI's RuleDescriptor has the same shape). */
export interface RuleSummary {
  id: string;
  description: string;
  rationale: string;
  defaultSeverity: RuleSetting;
}

export function ruleDescriptors(): RuleSummary[] {
  return RULES.map((rule) => ({
    id: rule.meta.id,
    description: rule.meta.description,
    rationale: rule.meta.rationale,
    defaultSeverity: rule.meta.defaultSeverity,
  }));
}
