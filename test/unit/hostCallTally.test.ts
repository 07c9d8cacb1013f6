import * as assert from 'node:assert/strict';
import { HostCallTally } from '../../server/src/core/sandbox/hostCallTally';

describe('host calls counted in the sandbox process', () => {
  it('asks for the first call of each kind to be sent at once (it may block until the run is stopped)', () => {
    const tally = new HostCallTally();
    assert.equal(tally.count('wasi:io/streams#[method]output-stream.blocking-write-and-flush'), true);
    assert.equal(tally.count('wasi:io/streams#[method]output-stream.blocking-write-and-flush'), false);
    assert.equal(tally.count('wasi:io/poll#[method]pollable.block'), true);
    assert.equal(tally.count('wasi:io/poll#[method]pollable.block'), false);
    assert.deepEqual(tally.byName, {
      'wasi:io/streams#[method]output-stream.blocking-write-and-flush': 2,
      'wasi:io/poll#[method]pollable.block': 2,
    });
    assert.equal(tally.total, 4);
  });

  it('counts names that objects have built in like any other', () => {
    const tally = new HostCallTally();
    assert.equal(tally.count('toString'), true);
    assert.equal(tally.count('constructor'), true);
    assert.equal(tally.count('toString'), false);
    assert.deepEqual({ ...tally.byName }, { toString: 2, constructor: 1 });
  });
});
