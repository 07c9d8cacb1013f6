/**
 * A module's index spaces: how many entries each holds so far and the `$id`s bound to them, and
 * references (a number or a `$id`) resolved against them.
 */
import type { ExternKind } from '../module/model';
import { FieldError, describe } from './cursor';
import { idName, parseNat } from './literals';
import type { SAtom, SNode } from './sexpr';

export type Space = 'func' | 'table' | 'memory' | 'global' | 'tag' | 'type' | 'elem' | 'data';

export class IndexSpaces {
  readonly counts: Record<Space, number> = {
    func: 0,
    table: 0,
    memory: 0,
    global: 0,
    tag: 0,
    type: 0,
    elem: 0,
    data: 0,
  };
  private readonly ids = new Map<Space, Map<string, number>>();

  declareId(space: Space, id: SAtom | undefined, index: number): void {
    if (!id) return;
    let map = this.ids.get(space);
    if (!map) this.ids.set(space, (map = new Map()));
    const name = idName(id.token.text);
    if (map.has(name)) throw new FieldError(`Duplicate ${space} id ${id.token.text}.`, id.start, id.end);
    map.set(name, index);
  }

  /**
   * The next index in an entity's space, bound to the field's `$id`. Taken before anything else
   * is read, so a field that fails later still holds its index and later indexes stay put.
   */
  declareNext(space: ExternKind, id: SAtom | undefined): number {
    const index = this.counts[space]++;
    this.declareId(space, id, index);
    return index;
  }

  /**
   * An index or `$id` reference in `space`. The id must be declared already: a reference that may
   * name a later field is resolved once every field is read.
   */
  resolve(space: Space, node: SNode | undefined, what = `a ${space} index`): number {
    if (node?.type === 'atom' && node.token.kind === 'number') {
      const value = parseNat(node.token.text);
      if (value === null || value > 0xffffffffn)
        throw new FieldError(`Expected ${what}, found ${describe(node)}.`, node.start, node.end);
      return Number(value);
    }
    if (node?.type === 'atom' && node.token.kind === 'id') {
      const index = this.ids.get(space)?.get(idName(node.token.text));
      if (index === undefined)
        throw new FieldError(`Unknown ${space} ${node.token.text}.`, node.start, node.end);
      return index;
    }
    const at = node ?? { start: 0, end: 0 };
    throw new FieldError(`Expected ${what} (a number or $id), found ${describe(node)}.`, at.start, at.end);
  }
}
