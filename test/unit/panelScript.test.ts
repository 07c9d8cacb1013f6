/**
 * The report panel's script is a string the webview runs; a syntax error in it leaves the panel
 * blank with no error anywhere but the webview's console. It must at least parse.
 */
import * as assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { PANEL_SCRIPT } from '../../client/src/sandbox/panelScript';

describe('the sandbox report panel script', () => {
  it('is valid JavaScript', () => {
    assert.doesNotThrow(() => new Script(PANEL_SCRIPT, { filename: 'panelScript.js' }));
  });
});
