/** Home-directory paths in build output: they name a person; CI workspaces and /rustc/<hash> paths do not. */
import { anchoredMatches, type AnchoredSearch } from './anchoredSearch';

export const HOME_PATH: AnchoredSearch = {
  pattern:
    /(?:\/(?:home|Users)\/[A-Za-z0-9._-]+\/|\/root\/|[A-Za-z]:\\(?:Users|Documents and Settings)\\[^\\\s"]+\\)[\x21-\x7e]{0,120}/y,
  // A drive letter comes one character before its ":\" anchor.
  anchors: ['/home/', '/Users', '/root/', ':\\'],
  lead: [0, 1],
};

export interface HomePath {
  offset: number;
  length: number;
  /** The path, shortened for messages. */
  path: string;
}

function describe(match: RegExpExecArray): HomePath {
  const path = match[0].length > 80 ? `${match[0].slice(0, 79)}…` : match[0];
  return { offset: match.index, length: match[0].length, path };
}

/** The first home-directory path in `text` (the search stops there). */
export function firstHomePath(text: string): HomePath | undefined {
  for (const match of anchoredMatches(text, HOME_PATH)) return describe(match);
  return undefined;
}

/** The first home-directory path in `text`, and how many there are in all. */
export function homePathsIn(text: string): (HomePath & { count: number }) | undefined {
  let first: RegExpExecArray | undefined;
  let count = 0;
  for (const match of anchoredMatches(text, HOME_PATH)) {
    first ??= match;
    count++;
  }
  return first && { ...describe(first), count };
}
