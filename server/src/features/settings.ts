/** The server's view of the `wasmWarden.*` settings, with defaults for clients that send none. */
import type { Connection } from 'vscode-languageserver';
import type { RuleSetting } from '../core/policy/types';

export interface WardenSettings {
  enable: boolean;
  maxFileSize: number;
  /** A policy file that governs every module (relative to the first workspace folder). */
  policyPath: string;
  /** Rule severity overrides (`"memory-limit": "warning"`); they beat the policy's `rules`. */
  rules: Record<string, RuleSetting>;
}

export const DEFAULT_SETTINGS: WardenSettings = {
  enable: true,
  // Large enough for the biggest real modules we know (ffmpeg-core, 31 MiB); a 50 MB .wat would take
  // half a minute and gigabytes to analyse on every edit.
  maxFileSize: 32 * 1024 * 1024,
  policyPath: '',
  rules: {},
};

export class SettingsStore {
  private cache = new Map<string, Promise<WardenSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly clientHasConfiguration: () => boolean,
  ) {}

  get(resource: string): Promise<WardenSettings> {
    if (!this.clientHasConfiguration()) return Promise.resolve(DEFAULT_SETTINGS);
    let settings = this.cache.get(resource);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri: resource, section: 'wasmWarden' })
        .then((raw: Partial<WardenSettings> | null) => ({ ...DEFAULT_SETTINGS, ...(raw ?? {}) }))
        .catch(() => DEFAULT_SETTINGS);
      this.cache.set(resource, settings);
    }
    return settings;
  }

  clear(): void {
    this.cache.clear();
  }
}
