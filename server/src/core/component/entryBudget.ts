/**
 * Components have no engine limits on their entries; wasm-tools caps each index space at 1,000,000
 * or fewer. This reader caps the entries it builds from one file at that, across every section,
 * type declaration and nested component, so a large hostile component cannot exhaust the heap.
 */
import type { ByteReader } from '../module/byteReader';
import type { CountLimit } from '../module/engineLimits';

export const COMPONENT_ENTRIES: CountLimit = {
  max: 1_000_000,
  what: 'entries',
  whose: 'this reader takes from one component',
};

/** The entries read so far from one file, against COMPONENT_ENTRIES. */
export class EntryBudget {
  private used = 0;

  /** `r.count(minElementSize)`, failing at the count once the file's total passes the limit. */
  count(r: ByteReader, minElementSize: number): number {
    const at = r.pos;
    const n = r.count(minElementSize);
    this.used += n;
    r.atMost(this.used, COMPONENT_ENTRIES, at);
    return n;
  }
}
