/**
 * Where the team's shared test data lives: `../shared/testdata` beside the repository, or the
 * machine's `/work/shared/testdata` for a clone made elsewhere (such as /tmp).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');
const besideRepo = path.join(repo, '..', 'shared', 'testdata');

export const SHARED_TESTDATA = existsSync(besideRepo) ? besideRepo : '/work/shared/testdata';

/** A path inside the shared test data. */
export function sharedTestdata(...parts: string[]): string {
  return path.join(SHARED_TESTDATA, ...parts);
}
