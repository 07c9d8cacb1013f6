import * as assert from 'node:assert/strict';
import { ContentCache, slimFacts } from '../../server/src/features/analysisCache';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { compileWat } from '../../server/src/core/wat/compile';
import type { ResolvedPolicy } from '../../server/src/core/policy/resolver';

describe('server analysis cache', () => {
  it('slim facts keep imports, exports, memories and counts, and drop per-function detail', async () => {
    const { bytes } = await compileWat(
      '(module (import "env" "f" (func)) (memory 1 2) (func (export "g")) (data (i32.const 0) "x"))',
    );
    assert.ok(bytes);
    const facts = readBinaryModule(bytes);
    const slim = slimFacts(facts);
    assert.deepEqual(slim.imports, facts.imports);
    assert.deepEqual(slim.exports, facts.exports);
    assert.deepEqual(slim.memories, facts.memories);
    assert.equal(slim.functionCount, facts.functionCount);
    assert.ok(facts.functions.length > 0 && facts.dataSegments.length > 0);
    assert.deepEqual([slim.functions, slim.dataSegments], [[], []]);
  });

  it('reuses a result only for the same bytes, signature, policy object and settings', () => {
    const cache = new ContentCache();
    const policy = {} as ResolvedPolicy;
    const other = {} as ResolvedPolicy;
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const key = ContentCache.key(bytes, undefined);
    cache.set(key, { policy, settingsKey: '{}', facts: [], findings: [] });
    assert.ok(cache.get(key, policy, '{}'));
    assert.equal(cache.get(key, other, '{}'), undefined);
    assert.equal(cache.get(key, policy, '{"debug-info":"off"}'), undefined);
    assert.notEqual(ContentCache.key(bytes, new Uint8Array([1])), key);
    assert.equal(
      cache.get(ContentCache.key(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 1]), undefined), policy, '{}'),
      undefined,
    );
  });
});
