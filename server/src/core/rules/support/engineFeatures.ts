/**
 * The proposals the sandbox's engine runs without flags. The sandbox runs modules in Node 20, whose
 * V8 (11.3) ships these; the newer ones (memory64, multi-memory, GC, typed function references,
 * exnref, relaxed SIMD, extended-const, custom page sizes, wide arithmetic, stack switching) came
 * in later V8 versions or are still behind flags.
 */
import type { Proposal } from '../../module/model';

export const SANDBOX_ENGINE = 'Node 20 (V8 11.3)';

export const SANDBOX_FEATURES: ReadonlySet<Proposal> = new Set<Proposal>([
  'threads',
  'simd',
  'exceptions',
  'reference-types',
  'tail-call',
  'bulk-memory',
  'sign-extension',
  'saturating-float-to-int',
  'multi-value',
  'mutable-globals',
]);
