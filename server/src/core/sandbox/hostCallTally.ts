/**
 * Host calls by name, counted in the sandbox process. The parent hears of them with the samples,
 * at most every few milliseconds; the first call of each kind is sent at once, because a call can
 * block the sandbox's thread until the run is stopped (a socket read, a sleep): the report must
 * still name it.
 */
export class HostCallTally {
  readonly byName: Record<string, number> = {};
  total = 0;

  /** Counts one call of `name`; true when the parent must hear of it now (its first call). */
  count(name: string): boolean {
    const first = !Object.hasOwn(this.byName, name);
    this.byName[name] = first ? 1 : this.byName[name] + 1;
    this.total++;
    return first;
  }
}
