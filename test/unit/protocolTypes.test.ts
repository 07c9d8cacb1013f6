/**
 * The custom messages are typed end to end: both sides pass each message's `type`, so `tsc`
 * rejects a call site whose parameters or result do not match its declaration. The
 * `@ts-expect-error` lines below fail the compile (`npm test` runs `tsc -p .`) if a wrong call
 * ever type-checks again.
 */
import * as assert from 'node:assert/strict';
import type { Connection } from 'vscode-languageserver/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CreatePolicyRequest } from '../../server/src/protocol/policy';
import { SandboxCancelNotification, SandboxRunRequest } from '../../server/src/protocol/sandbox';
import { WasmTextRequest } from '../../server/src/protocol/wasmView';
import { ModuleSummaryRequest } from '../../server/src/protocol/moduleSummary';

/** Never called: it only has to compile, with the expected errors. */
export async function typedCallSites(client: LanguageClient, connection: Connection): Promise<void> {
  // @ts-expect-error `uris` is a string array
  await client.sendRequest(CreatePolicyRequest.type, { uris: 'file:///a.wasm' });
  // @ts-expect-error a run needs a runId
  await client.sendRequest(SandboxRunRequest.type, { uri: 'file:///a.wasm' });
  const text = await client.sendRequest(WasmTextRequest.type, { uri: 'file:///a.wasm' });
  // @ts-expect-error the result's `text` is a string
  const lines: number = text.text;
  void lines;
  // @ts-expect-error the cancel notification carries a runId, not a uri
  void client.sendNotification(SandboxCancelNotification.type, { uri: 'x' });
  // @ts-expect-error the handler must answer a ModuleSummary or null
  connection.onRequest(ModuleSummaryRequest.type, () => 42);
}

describe('protocol messages', () => {
  it('declare a method and a typed type, used by both sides', () => {
    for (const message of [CreatePolicyRequest, SandboxRunRequest, WasmTextRequest, ModuleSummaryRequest]) {
      assert.equal(message.type.method, message.method);
      assert.match(message.method, /^wasmWarden\//);
    }
  });
});
