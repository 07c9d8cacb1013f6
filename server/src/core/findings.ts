import type { SourceLocation } from './location';

export type Severity = 'error' | 'warning' | 'info';

/** A place in a policy file that decided something: shown as "decided by" and linked from hovers. */
export interface PolicyPointer {
  /** Absolute path of the policy file, or `<built-in default>` / `<built-in strict>`. */
  file: string;
  /** Where in that file, when it is a real file. */
  location?: SourceLocation;
  /** The JSON text of the deciding entry, e.g. `"env.*"` or `"maxPages": 16`. */
  text?: string;
}

/** One problem found in a module or a policy file: the single currency of rules, CLI and server. */
export interface Finding {
  /** Rule id in kebab-case (`disallowed-import`), or `syntax-error`, `invalid-module`, `policy-error`. */
  ruleId: string;
  severity: Severity;
  message: string;
  location: SourceLocation;
  /** The policy line that decided this finding, when a policy decided it. */
  decidedBy?: PolicyPointer;
  /** Whatever a quick fix needs (rule specific, plain JSON). */
  data?: Record<string, unknown>;
}
