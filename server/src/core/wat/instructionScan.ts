/**
 * The proposals a module's instructions show, from every keyword in its lists (and in the function
 * bodies the s-expression reader skipped), as the binary reader counts them. Reserved tokens met
 * on the way are reported: no other part of the reader looks inside function bodies.
 */
import type { Proposal } from '../module/model';
import { describe, isKeyword } from './cursor';
import { Interner } from './interner';
import type { SkippedBody, SNode } from './sexpr';

/** Instruction keyword prefixes that show a module uses a proposal. */
const INSTRUCTION_PROPOSALS: Array<[RegExp, Proposal]> = [
  [/relaxed_/, 'relaxed-simd'], // before simd: relaxed instructions are SIMD too (added in scan)
  [/^(?:v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\./, 'simd'],
  [/\.atomic\.|^memory\.atomic|^atomic\.fence/, 'threads'],
  [/^(?:return_call|return_call_indirect|return_call_ref)$/, 'tail-call'],
  [/^(?:try|catch|catch_all|delegate|rethrow|throw)$/, 'exceptions'],
  [/^(?:try_table|throw_ref)$/, 'exnref'],
  [
    /^(?:struct|array|ref\.i31|i31|any|extern\.(?:convert_any|internalize|externalize)|br_on_cast|ref\.cast|ref\.test)/,
    'gc',
  ],
  [/^(?:call_ref|ref\.as_non_null|br_on_null|br_on_non_null)$/, 'function-references'],
  [/^(?:memory\.(?:copy|fill|init)|data\.drop|elem\.drop|table\.(?:copy|init))$/, 'bulk-memory'],
  [/^(?:table\.(?:get|set|size|grow|fill)|ref\.(?:null|is_null|func))$/, 'reference-types'],
  [/^i(?:32|64)\.extend(?:8|16|32)_s$/, 'sign-extension'],
  [/trunc_sat/, 'saturating-float-to-int'],
  [/^i64\.(?:add128|sub128|mul_wide_[su])$/, 'wide-arithmetic'],
  [/^(?:cont\.|resume|suspend|switch)/, 'stack-switching'],
];

/** Reports a syntax error at the text from `start` to `end`. */
export type ReportError = (message: string, start: number, end: number) => void;

export class InstructionScan {
  /** Keywords seen, as shared strings, and the proposal each one shows. */
  private readonly words: Interner;
  private readonly known = new Map<string, Proposal | null>();

  /** `reportedAt`: start offsets of errors reported already, so a token is not reported again. */
  constructor(
    private readonly text: string,
    private readonly seen: Set<Proposal>,
    private readonly error: ReportError,
    private readonly reportedAt: ReadonlySet<number>,
  ) {
    this.words = new Interner(text);
  }

  /** The same for a function body the s-expression reader skipped: its keywords and reserved tokens. */
  private scanSkippedBody(body: SkippedBody, known: Map<string, Proposal | null>): void {
    for (const keyword of body.keywords) {
      this.noteProposal(this.proposalOf(keyword, known));
    }
    for (let i = 0; i < body.reserved.length; i += 2) {
      const [start, end] = [body.reserved[i], body.reserved[i + 1]];
      const text = this.text.slice(start, end);
      this.reportReserved(JSON.stringify(text.slice(0, 40)), text, start, end);
    }
  }

  /** A token the lexer could read as nothing else, `quoted` as the message shows it. */
  private reportReserved(quoted: string, text: string, start: number, end: number): void {
    const hint = text.startsWith(';') ? ' (comments start with ";;" or "(;")' : '';
    this.error(`Unexpected token ${quoted}: not a keyword, id, number or string${hint}.`, start, end);
  }

  private noteProposal(proposal: Proposal | null): void {
    if (proposal) this.seen.add(proposal);
    if (proposal === 'relaxed-simd') this.seen.add('simd');
  }

  private proposalOf(keyword: string, known: Map<string, Proposal | null>): Proposal | null {
    let proposal = known.get(keyword);
    if (proposal === undefined) {
      proposal = INSTRUCTION_PROPOSALS.find(([pattern]) => pattern.test(keyword))?.[1] ?? null;
      known.set(keyword, proposal);
    }
    return proposal;
  }

  /** Notes the proposals the module's instructions use (iteratively: bodies nest deeply). */
  scan(root: SNode): void {
    // A stack pointer rather than push and pop: popping shrinks the array's store and pushing the
    // next function's children grows (copies) it again, thousands of times in a big module.
    const stack: SNode[] = [root];
    let size = 1;
    const known = this.known;
    while (size > 0) {
      const node = stack[--size];
      if (node.type === 'list') {
        // Annotations may hold any tokens; they are not instructions.
        // Element lists hold ref.func items that the binary counts as MVP, not as instructions.
        if (!node.isAnnotation && !isKeyword(node.children[0], 'elem'))
          for (const child of node.children) stack[size++] = child;
        if (node.skippedBody) this.scanSkippedBody(node.skippedBody, known);
        continue;
      }
      if (node.kind === 'reserved') {
        if (!this.reportedAt.has(node.start))
          this.reportReserved(describe(node), node.text, node.start, node.end);
        continue;
      }
      if (node.kind !== 'keyword') continue;
      this.noteProposal(this.proposalOf(this.words.get(node.start, node.end), known));
    }
  }
}
