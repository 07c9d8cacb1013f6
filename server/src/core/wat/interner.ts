/**
 * One string per distinct token text of a source, looked up by offsets without slicing: a big file
 * repeats a few hundred keywords hundreds of thousands of times, and a slice per occurrence is
 * garbage (or, kept in a set, memory) the collector has to handle.
 */
export class Interner {
  /** Strings by a hash of their characters; a bucket holds one string or, on collision, several. */
  private readonly buckets = new Map<number, string | string[]>();

  constructor(private readonly text: string) {}

  /** `text.slice(start, end)`, the same string object every time for the same characters. */
  get(start: number, end: number): string {
    const text = this.text;
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    const bucket = this.buckets.get(hash);
    if (typeof bucket === 'string') {
      if (this.matches(bucket, start, end)) return bucket;
      const word = text.slice(start, end);
      this.buckets.set(hash, [bucket, word]);
      return word;
    }
    if (bucket) {
      for (const candidate of bucket) if (this.matches(candidate, start, end)) return candidate;
      const word = text.slice(start, end);
      bucket.push(word);
      return word;
    }
    const word = text.slice(start, end);
    this.buckets.set(hash, word);
    return word;
  }

  private matches(word: string, start: number, end: number): boolean {
    return word.length === end - start && this.text.startsWith(word, start);
  }
}
