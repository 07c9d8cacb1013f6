/**
 * What goes wrong while reading a text module's fields: each error becomes a located
 * `syntax-error` finding and reading goes on with the next field. Also holds the references that
 * must wait until every field has declared its ids, whose errors are reported the same way.
 */
import type { Finding } from '../findings';
import type { LineIndex } from '../location';
import { FieldError } from './cursor';
import type { SNode } from './sexpr';
import { SYNTAX_RULE_ID } from './syntax';

export class FieldProblems {
  readonly findings: Finding[] = [];
  /** Start offsets of reported errors, so a token scan does not report the same place again. */
  readonly reportedAt = new Set<number>();
  /** Reference resolutions that must wait until every field has declared its ids. */
  private readonly deferred: Array<() => void> = [];

  constructor(private readonly lines: LineIndex) {}

  /** Runs `read`; what it throws becomes a finding (an internal error when it is no `FieldError`). */
  guard(node: SNode, read: () => void): void {
    try {
      read();
    } catch (error) {
      if (error instanceof FieldError) this.error(error.message, error.start, error.end);
      else this.error(`Internal error while reading this field: ${String(error)}`, node.start, node.end);
    }
  }

  error(message: string, start: number, end: number): void {
    this.reportedAt.add(start);
    this.findings.push({
      ruleId: SYNTAX_RULE_ID,
      severity: 'error',
      message,
      location: this.lines.span(start, end),
    });
  }

  /** Resolves later, reporting an unknown id as a finding at the reference. */
  later(resolve: () => void): void {
    this.deferred.push(() => {
      try {
        resolve();
      } catch (error) {
        if (error instanceof FieldError) this.error(error.message, error.start, error.end);
        else throw error;
      }
    });
  }

  /** Runs what `later` put off, in the order it was put off (once every field is read). */
  resolveDeferred(): void {
    for (const resolve of this.deferred) resolve();
  }
}
