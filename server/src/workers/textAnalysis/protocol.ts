/** Messages between the server and its text-reading thread (boundedWorkers.ts carries them). */
import type { Finding } from '../../core/findings';
import type { ModuleFacts } from '../../core/module/model';
import type { PlainPolicy } from '../../core/policy/effective';
import type { RuleSetting } from '../../core/policy/types';

export interface TextAnalysisJob {
  text: string;
  fileName: string;
  /** The resolved policy, unsaved editor changes included (`fromPlainPolicy` revives it). */
  policy: PlainPolicy;
  ruleOverrides: Record<string, RuleSetting>;
}

/** A step of `analyzeWatInSteps`: the first (reader and body-free rules) or the complete one. */
export interface TextAnalysisStep {
  facts: ModuleFacts[];
  findings: Finding[];
}
