/** A growable list of 32-bit integers (millions of call sites cost 4 bytes each, not 8+). */
export class IntList {
  data: Int32Array = new Int32Array(64);
  length = 0;

  /** A list over the first `length` items of `data` (not copied). */
  static over(data: Int32Array, length = data.length): IntList {
    const list = new IntList();
    list.data = data;
    list.length = length;
    return list;
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  at(i: number): number {
    return this.data[i];
  }
}
