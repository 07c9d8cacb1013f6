/** Where the signing tests find the wasmsign2 vectors (a copy of the shared test data, see its README). */
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';

export const SIGNING_VECTORS = path.join(REPO_ROOT, 'test', 'fixtures', 'signing');
