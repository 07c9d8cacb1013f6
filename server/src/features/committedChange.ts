/**
 * What a workspace `.wasm` gained or lost compared with its committed version (git HEAD), for a
 * CodeLens at the top of its text view and a line in the module hover. Computed off the request
 * path when the file changes on disk (or is first asked about); a folder that is no git
 * repository, a file git does not track, or a file equal to HEAD gives nothing: no git, no lens.
 */
import { promises as fsp } from 'node:fs';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import { diffSurfaces, isUnchanged } from '../core/diff/diffSurfaces';
import { surfaceFromBytes } from '../core/diff/fromBytes';
import { gains, losses } from '../core/diff/gains';
import { gitShow } from '../core/diff/gitShow';
import { fileUriOfView, isViewUri } from './viewUris';
import { uriToPath } from './fileUris';

export interface CommittedChange {
  gained: string[];
  lost: string[];
}

const REF = 'HEAD';

/** Long lists are cut in a lens title; the hover has them all. */
const LENS_ITEMS = 3;

export function changeText(change: CommittedChange, limit = Infinity): string {
  const list = (items: string[]): string =>
    items.length > limit
      ? `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`
      : items.join(', ');
  const parts: string[] = [];
  if (change.gained.length) parts.push(`gained ${list(change.gained)}`);
  if (change.lost.length) parts.push(`lost ${list(change.lost)}`);
  return parts.length
    ? `Since ${REF}: ${parts.join('; ')}`
    : `Changed since ${REF}; no capability gained or lost`;
}

export class CommittedChanges {
  /** By file path: the answer (null = nothing to show), or the computation under way. */
  private readonly known = new Map<string, CommittedChange | null>();
  private readonly pending = new Map<string, Promise<void>>();

  /** `onComputed` runs when an answer changed, so the client can refresh its lenses. */
  constructor(private readonly onComputed: () => void) {}

  /** The file changed on disk: forget the old answer and compute the new one. */
  fileChanged(file: string): void {
    this.known.delete(file);
    void this.compute(file);
  }

  fileDeleted(file: string): void {
    this.known.delete(file);
  }

  /** The answer when known; otherwise starts computing it and returns undefined. */
  get(file: string): CommittedChange | null | undefined {
    if (this.known.has(file)) return this.known.get(file);
    void this.compute(file);
    return undefined;
  }

  /** Resolves when every computation started so far is done (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  private compute(file: string): Promise<void> {
    const running = this.pending.get(file);
    if (running) return running;
    const work = (async () => {
      let answer: CommittedChange | null = null;
      try {
        const [committed, current] = await Promise.all([gitShow(file, REF), fsp.readFile(file)]);
        if (committed && !committed.equals(current)) {
          const diff = diffSurfaces(surfaceFromBytes(committed), surfaceFromBytes(current));
          answer = isUnchanged(diff)
            ? { gained: [], lost: [] }
            : { gained: gains(diff).map((g) => g.text), lost: losses(diff) };
        }
      } catch {
        answer = null; // no git, not a repository, unreadable: no lens
      }
      this.pending.delete(file);
      const before = JSON.stringify(this.known.get(file) ?? null);
      this.known.set(file, answer);
      if (JSON.stringify(answer) !== before) this.onComputed();
    })();
    this.pending.set(file, work);
    return work;
  }

  /** A lens on the first line of a `.wasm` text view when the module differs from HEAD. */
  provideCodeLenses(params: CodeLensParams): CodeLens[] {
    const uri = params.textDocument.uri;
    if (!isViewUri(uri)) return [];
    const file = uriToPath(fileUriOfView(uri) ?? '');
    const change = file ? this.get(file) : undefined;
    if (!change) return [];
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        command: { title: `$(git-compare) ${changeText(change, LENS_ITEMS)}`, command: '' },
      },
    ];
  }

  /** The line the module hover adds, for a file or its text view. */
  hoverNote(uri: string): string | undefined {
    const file = uriToPath(fileUriOfView(uri) ?? uri);
    const change = file ? this.known.get(file) : undefined;
    return change ? `**${changeText(change)}.**` : undefined;
  }
}
