import * as assert from 'node:assert/strict';
import { formatProfileText } from '../../server/src/core/sandbox/profileText';
import type { FuelProfile } from '../../server/src/core/sandbox/report';

describe('the --profile table', () => {
  const profile: FuelProfile = {
    totalSelf: 150,
    calledFunctions: 2,
    functions: [
      { index: 6, name: 'func[6]', offset: 0x18b, self: 100, inclusive: 140, calls: 1 },
      { index: 7, name: '$parse', offset: 0x200, self: 50, inclusive: 50, calls: 3 },
    ],
    loops: [{ functionIndex: 6, functionName: 'func[6]', offset: 0x190, iterations: 9 }],
  };
  const text = formatProfileText(profile);

  it('names a function without a name by its index once', () => {
    assert.match(text, / func\[6\] \(0x18b\)\n/);
    assert.doesNotMatch(text, /func\[6\] \[6\]/);
    assert.match(text, / 0x190 in func\[6\]\n/);
  });

  it('gives a named function its index beside the name', () => {
    assert.match(text, / \$parse \[7\] \(0x200\)\n/);
  });
});
