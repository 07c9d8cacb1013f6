/**
 * The data segments of a binary module as columns of typed arrays. Go modules have ~100,000
 * segments (esbuild-wasm 98,450); an object and a location per segment made up most of what reading
 * a module allocated, and they lived as long as the analysis. Rules read the columns; the facts'
 * objects are made only when someone asks for `ModuleFacts.dataSegments` (see lazyDataSegments.ts).
 */
import { byteSpan } from '../location';
import type { DataSegmentFact } from './model';

/** File positions: 32 bits hold every position of a file smaller than 4 GiB, which is all of them. */
type Positions = Uint32Array | Float64Array;

/**
 * Rows reserved up front at most (6.5 MB): a section's declared count is only bounded by its size,
 * so a damaged one must not reserve far more than the segments that are really there.
 */
const MAX_INITIAL_ROWS = 1 << 18;

export class DataSegmentTable {
  private count = 0;
  private entryStarts: Positions;
  private contentOffsets: Positions;
  private sizes: Uint32Array;
  private passive: Uint8Array;
  private memoryIndices: Uint32Array;
  /** Constant offsets; NaN when the offset is computed (null in the facts). i64 ones pass 2^32. */
  private offsets: Float64Array;

  /** `expected`: the segment count the section declares; `fileEnd`: where the module's bytes end. */
  constructor(expected: number, fileEnd: number) {
    const capacity = Math.min(expected, MAX_INITIAL_ROWS);
    const Position = fileEnd <= 0xffffffff ? Uint32Array : Float64Array;
    this.entryStarts = new Position(capacity);
    this.contentOffsets = new Position(capacity);
    this.sizes = new Uint32Array(capacity);
    this.passive = new Uint8Array(capacity);
    this.memoryIndices = new Uint32Array(capacity);
    this.offsets = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /**
   * Records the next segment. Its entry runs from `entryStart` to the end of its contents;
   * `memoryIndex` is undefined for a passive segment, `offset` null when it is not a constant.
   */
  add(
    entryStart: number,
    contentOffset: number,
    size: number,
    memoryIndex: number | undefined,
    offset: number | null | undefined,
  ): void {
    if (this.count === this.sizes.length) this.grow();
    const row = this.count++;
    this.entryStarts[row] = entryStart;
    this.contentOffsets[row] = contentOffset;
    this.sizes[row] = size;
    this.passive[row] = memoryIndex === undefined ? 1 : 0;
    this.memoryIndices[row] = memoryIndex ?? 0;
    this.offsets[row] = offset ?? NaN;
  }

  /** Row i is segment i; the method lets rules read the table like any list of segments. */
  index(row: number): number {
    return row;
  }

  entryStart(row: number): number {
    return this.entryStarts[row];
  }

  contentOffset(row: number): number {
    return this.contentOffsets[row];
  }

  size(row: number): number {
    return this.sizes[row];
  }

  isPassive(row: number): boolean {
    return this.passive[row] === 1;
  }

  totals(): { count: number; passive: number; bytes: number } {
    let passive = 0;
    let bytes = 0;
    for (let row = 0; row < this.count; row++) {
      passive += this.passive[row];
      bytes += this.sizes[row];
    }
    return { count: this.count, passive, bytes };
  }

  /** The fact the reader used to build for this segment: same fields, values and key order. */
  fact(row: number): DataSegmentFact {
    const contentOffset = this.contentOffsets[row];
    const size = this.sizes[row];
    const location = byteSpan(this.entryStarts[row], contentOffset + size - this.entryStarts[row]);
    if (this.passive[row] === 1) return { index: row, mode: 'passive', size, location, contentOffset };
    const offset = this.offsets[row];
    return {
      index: row,
      mode: 'active',
      size,
      location,
      contentOffset,
      memoryIndex: this.memoryIndices[row],
      offset: Number.isNaN(offset) ? null : offset,
    };
  }

  facts(): DataSegmentFact[] {
    const facts: DataSegmentFact[] = [];
    for (let row = 0; row < this.count; row++) facts.push(this.fact(row));
    return facts;
  }

  private grow(): void {
    const capacity = Math.max(16, this.count * 2);
    const resized = <T extends Positions | Uint8Array>(column: T): T => {
      const larger = new (column.constructor as new (length: number) => T)(capacity);
      larger.set(column as ArrayLike<number>);
      return larger;
    };
    this.entryStarts = resized(this.entryStarts);
    this.contentOffsets = resized(this.contentOffsets);
    this.sizes = resized(this.sizes);
    this.passive = resized(this.passive);
    this.memoryIndices = resized(this.memoryIndices);
    this.offsets = resized(this.offsets);
  }
}
