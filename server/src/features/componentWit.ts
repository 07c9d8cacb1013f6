/**
 * Answers `wasmWarden/componentWit`: the WIT of a component's world, from the latest analysis of
 * the file when there is one, else read from disk (the component reader is bounded and fast: it
 * does not decode function bodies).
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver';
import { hasComponentPreamble, readComponent } from '../core/module/component';
import type { ModuleFacts } from '../core/module/model';
import {
  ComponentWitRequest,
  type ComponentWitParams,
  type ComponentWitResult,
} from '../protocol/componentWit';
import { uriToPath } from './fileUris';
import type { ModuleResult } from './moduleAnalysis';
import type { SettingsStore } from './settings';
import { fileUriOfView } from './viewUris';

export function registerComponentWit(
  connection: Connection,
  settings: SettingsStore,
  analysisOf: (uri: string) => ModuleResult | undefined,
): void {
  connection.onRequest(ComponentWitRequest.type, (params: ComponentWitParams) =>
    componentWit(params, settings, analysisOf),
  );
}

export async function componentWit(
  params: ComponentWitParams,
  settings: SettingsStore,
  analysisOf: (uri: string) => ModuleResult | undefined,
): Promise<ComponentWitResult> {
  const uri = fileUriOfView(params.uri) ?? params.uri;
  const file = uriToPath(uri);
  if (!file) return { kind: 'unreadable', message: `Only files on disk have a world (${uri}).` };
  const analysed = analysisOf(uri)?.facts[0];
  if (analysed?.source === 'binary' && analysed.components?.wit) return witOf(file, analysed);
  try {
    const { maxFileSize } = await settings.get(uri);
    if ((await stat(file)).size > maxFileSize)
      return { kind: 'unreadable', message: `${path.basename(file)} is larger than wasmWarden.maxFileSize.` };
    const bytes = await readFile(file);
    if (!hasComponentPreamble(bytes))
      return {
        kind: 'module',
        message: `${path.basename(file)} is a core module, not a component: it has no world.`,
      };
    return witOf(file, readComponent(bytes));
  } catch (error) {
    return {
      kind: 'unreadable',
      message: `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}.`,
    };
  }
}

function witOf(file: string, facts: ModuleFacts): ComponentWitResult {
  if (facts.kind !== 'component' || !facts.components?.wit)
    return {
      kind: 'module',
      message: `${path.basename(file)} is a core module, not a component: it has no world.`,
    };
  const problems = facts.problems.length
    ? `// The component is malformed (${facts.problems[0].message}); the world below is what could be read.\n`
    : '';
  return {
    kind: 'component',
    wit: `// The world of ${path.basename(file)}, decoded by Wasm Warden (read-only).\n${problems}\n${facts.components.wit}`,
  };
}
