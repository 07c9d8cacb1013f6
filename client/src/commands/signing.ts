/**
 * `Sign Module`, `Verify Signature` and `Generate Signing Key Pair`. Prompts live here; the work
 * is done by the language server (protocol/signing.ts), which reads key files itself: the client
 * only ever handles key *paths* and a passphrase the user typed, passed straight to the server.
 * Each command also takes an options object so scripts and tests can skip the prompts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Trace, type LanguageClient, type RequestParam, type RequestType } from 'vscode-languageclient/node';
import {
  GenerateKeyPairRequest,
  SignModuleRequest,
  VerifySignatureRequest,
  type GenerateKeyPairParams,
  type GenerateKeyPairResult,
  type SignModuleParams,
  type SignModuleResult,
  type SigningMode,
  type VerifySignatureParams,
  type VerifySignatureResult,
} from '../../../server/src/protocol/signing';
import { fileUriFor, WASM_VIEW_SCHEME } from '../wasmView/uris';
import { trustKey } from './trustKey';

export const SIGN_MODULE = 'wasmWarden.signModule';
export const VERIFY_SIGNATURE = 'wasmWarden.verifySignature';
export const GENERATE_KEY_PAIR = 'wasmWarden.generateKeyPair';

export interface SignModuleOptions {
  uri?: vscode.Uri | string;
  secretKeyPath?: string;
  mode?: SigningMode;
  keyId?: string;
  passphrase?: string;
}

export interface VerifySignatureOptions {
  uri?: vscode.Uri | string;
  publicKeyPaths?: string[];
  signaturePath?: string;
}

export interface GenerateKeyPairOptions {
  secretKeyPath?: string;
  publicKeyPath?: string;
  format?: 'compact' | 'pem';
  passphrase?: string;
}

/** Modules at or above this size get a progress notification while the server signs or verifies. */
const PROGRESS_FROM_BYTES = 4 * 1024 * 1024;
const PASSPHRASE_TRIES = 3;

export function registerSigningCommands(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  output: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SIGN_MODULE, (arg?: unknown) => signModule(client, output, arg)),
    vscode.commands.registerCommand(VERIFY_SIGNATURE, (arg?: unknown) =>
      verifySignature(client, output, arg),
    ),
    vscode.commands.registerCommand(GENERATE_KEY_PAIR, (arg?: unknown) =>
      generateKeyPair(client, output, arg),
    ),
  );
}

/** The command argument: a Uri (explorer, editor title), an options object (scripts), or nothing. */
function splitArgument<T extends { uri?: vscode.Uri | string }>(arg: unknown): T {
  if (arg instanceof vscode.Uri) return { uri: arg } as T;
  if (arg && typeof arg === 'object') return arg as T;
  return {} as T;
}

async function moduleUri(
  given: vscode.Uri | string | undefined,
  title: string,
): Promise<vscode.Uri | undefined> {
  if (given) return onDisk(typeof given === 'string' ? vscode.Uri.parse(given) : given);
  const active = vscode.window.activeTextEditor?.document.uri ?? activeCustomEditorUri();
  if (active && /\.(wasm|wat)$/i.test(active.path)) return onDisk(active);
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { WebAssembly: ['wasm', 'wat'] },
  });
  return picked?.[0];
}

/** The `.wasm` text view (`wasm-warden:/m.wasm.wat`) stands for the `.wasm` file it shows. */
function onDisk(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === WASM_VIEW_SCHEME ? fileUriFor(uri) : uri;
}

/** A `.wasm` opened in a custom or binary editor has no text document; the tab still knows its file. */
function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input && typeof input === 'object' && 'uri' in input && input.uri instanceof vscode.Uri
    ? input.uri
    : undefined;
}

function settingsFor(uri: vscode.Uri) {
  return vscode.workspace.getConfiguration('wasmWarden.signing', uri);
}

/** Settings paths may be relative to the module's workspace folder. */
function resolveSettingPath(uri: vscode.Uri, value: string): string {
  if (path.isAbsolute(value)) return value;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return path.resolve(folder ? folder.uri.fsPath : path.dirname(uri.fsPath), value);
}

/**
 * Where secret keys go by default: outside every workspace, so git never lists them
 * (~/.wasm-warden/keys).
 */
export function defaultKeyFolder(): vscode.Uri {
  return vscode.Uri.file(path.join(os.homedir(), '.wasm-warden', 'keys'));
}

async function pickKeyFile(title: string, many: boolean, near?: vscode.Uri): Promise<string[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: many,
    openLabel: 'Use Key',
    ...(near ? { defaultUri: near } : {}),
  });
  return picked?.map((u) => u.fsPath);
}

async function withOptionalProgress<T>(uri: vscode.Uri, title: string, work: () => Thenable<T>): Promise<T> {
  let size = 0;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch {
    // The server reports a missing file itself.
  }
  if (size < PROGRESS_FROM_BYTES) return work();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => work());
}

export async function signModule(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<SignModuleResult | undefined> {
  const options = splitArgument<SignModuleOptions>(arg);
  const uri = await moduleUri(options.uri, 'Sign Module');
  if (!uri) return undefined;
  const settings = settingsFor(uri);
  // The server signs what is on disk: save an edited .wat first.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();

  let secretKeyPath = options.secretKeyPath;
  const configuredKey = settings.get<string>('secretKey');
  if (!secretKeyPath && configuredKey) secretKeyPath = resolveSettingPath(uri, configuredKey);
  if (!secretKeyPath) {
    // Start where keys are kept by default, else beside the module; the title names the module.
    const keys = defaultKeyFolder();
    const near = (await exists(keys)) ? keys : vscode.Uri.file(path.dirname(uri.fsPath));
    const title = `Sign ${path.basename(uri.fsPath)}: choose the secret key`;
    secretKeyPath = (await pickKeyFile(title, false, near))?.[0];
  }
  if (!secretKeyPath) return undefined;

  let mode = options.mode;
  const configuredMode = settings.get<string>('mode', 'ask');
  if (!mode && (configuredMode === 'embedded' || configuredMode === 'detached')) mode = configuredMode;
  if (!mode) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Embedded', description: 'signature section inside the module', mode: 'embedded' as const },
        {
          label: 'Detached',
          description: 'signature in a separate .sig file; the module is unchanged',
          mode: 'detached' as const,
        },
      ],
      { title: 'Sign Module', placeHolder: 'Where should the signature go?' },
    );
    if (!picked) return undefined;
    mode = picked.mode;
  }

  const params: SignModuleParams = {
    uri: uri.toString(),
    secretKeyPaths: [secretKeyPath],
    mode,
    keyId: options.keyId ?? settings.get<string>('keyId', 'none'),
    passphrase: options.passphrase,
  };
  let result: SignModuleResult | undefined;
  for (let attempt = 0; attempt <= PASSPHRASE_TRIES; attempt++) {
    result = await withOptionalProgress(uri, `Signing ${path.basename(uri.fsPath)}…`, () =>
      sendWithSecret(client, SignModuleRequest.type, params, params.passphrase),
    );
    if (
      result.ok ||
      !result.needsPassphrase ||
      options.passphrase !== undefined ||
      attempt === PASSPHRASE_TRIES
    )
      break;
    const passphrase = await vscode.window.showInputBox({
      title: 'Sign Module',
      prompt:
        attempt === 0 ? `Passphrase for ${path.basename(secretKeyPath)}` : 'Wrong passphrase; try again',
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return undefined;
    params.passphrase = passphrase;
  }
  if (!result) return undefined;
  if (!result.ok) {
    output.error(`Signing ${uri.fsPath} failed: ${result.error}`);
    if (!options.secretKeyPath)
      void vscode.window.showErrorMessage(`Wasm Warden: cannot sign: ${result.error}`);
    return result;
  }
  const written = [result.moduleWritten, result.signatureWritten]
    .filter((f): f is string => !!f)
    .map((f) => path.basename(f));
  const message = `Signed ${path.basename(uri.fsPath)} (${result.parts} part${result.parts === 1 ? '' : 's'}, key ${result.signers.join(', ')}): wrote ${written.join(' and ')}.`;
  output.info(message);
  if (!options.secretKeyPath) void vscode.window.showInformationMessage(`Wasm Warden: ${message}`);
  return result;
}

export async function verifySignature(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<VerifySignatureResult | undefined> {
  const options = splitArgument<VerifySignatureOptions>(arg);
  const uri = await moduleUri(options.uri, 'Verify Signature');
  if (!uri) return undefined;
  const configured = settingsFor(uri).get<string[]>('publicKeys', []);
  const params: VerifySignatureParams = {
    uri: uri.toString(),
    publicKeyPaths:
      options.publicKeyPaths ??
      (configured.length ? configured.map((k) => resolveSettingPath(uri, k)) : undefined),
    signaturePath: options.signaturePath,
  };
  const ask = () =>
    withOptionalProgress(uri, `Verifying ${path.basename(uri.fsPath)}…`, () =>
      client.sendRequest(VerifySignatureRequest.type, params),
    );
  let result = await ask();
  const interactive = options.publicKeyPaths === undefined;
  // No trusted keys anywhere (settings, policy): let the user pick some for this check.
  if (interactive && result.ok && result.keys.length === 0 && result.report.signed) {
    const picked = await pickKeyFile('Verify Signature: choose trusted public key(s)', true);
    if (picked?.length) {
      params.publicKeyPaths = picked;
      result = await ask();
    }
  }
  if (!result.ok) {
    output.error(`Verifying ${uri.fsPath} failed: ${result.error}`);
    if (interactive) void vscode.window.showErrorMessage(`Wasm Warden: cannot verify: ${result.error}`);
    return result;
  }
  output.info(result.text.trimEnd());
  if (interactive) {
    const firstLine = result.text.split('\n')[0];
    const show = result.report.valid
      ? vscode.window.showInformationMessage
      : vscode.window.showWarningMessage;
    void show(`Wasm Warden: ${firstLine}`, 'Show Details').then((choice) => {
      if (choice) output.show(true);
    });
  }
  return result;
}

export async function generateKeyPair(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<GenerateKeyPairResult | undefined> {
  const options = (
    arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}
  ) as GenerateKeyPairOptions;
  let format = options.format;
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      [
        {
          label: 'wasmsign2 compact',
          description: '33-byte public / 65-byte secret key files (wasmsign2 compatible)',
          format: 'compact' as const,
        },
        {
          label: 'PEM',
          description: 'PKCS#8 secret key (optionally passphrase-encrypted) and SPKI public key',
          format: 'pem' as const,
        },
      ],
      { title: 'Generate Signing Key Pair', placeHolder: 'Key file format' },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  let secretKeyPath = options.secretKeyPath;
  if (!secretKeyPath) {
    // Outside the workspace by default: a secret key inside it is one `git add -A` from a leak.
    const folder = defaultKeyFolder();
    await vscode.workspace.fs.createDirectory(folder).then(undefined, () => undefined);
    const target = await vscode.window.showSaveDialog({
      title: 'Generate Signing Key Pair: where to save the SECRET key (keep it out of version control)',
      defaultUri: vscode.Uri.joinPath(folder, format === 'pem' ? 'signing.key.pem' : 'signing.sk'),
      saveLabel: 'Save Secret Key',
    });
    if (!target) return undefined;
    secretKeyPath = target.fsPath;
  }
  const publicKeyPath = options.publicKeyPath ?? defaultPublicKeyPath(secretKeyPath, format);
  let passphrase = options.passphrase;
  if (passphrase === undefined && format === 'pem' && !options.secretKeyPath) {
    passphrase = await vscode.window.showInputBox({
      title: 'Generate Signing Key Pair',
      prompt: 'Passphrase to encrypt the secret key (leave empty for none)',
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return undefined;
    if (passphrase) {
      const again = await vscode.window.showInputBox({
        title: 'Generate Signing Key Pair',
        prompt: 'Repeat the passphrase',
        password: true,
        ignoreFocusOut: true,
      });
      if (again !== passphrase) {
        void vscode.window.showErrorMessage('Wasm Warden: the passphrases differ; no key was generated.');
        return undefined;
      }
    }
  }
  const params: GenerateKeyPairParams = {
    secretKeyPath,
    publicKeyPath,
    format,
    passphrase: passphrase || undefined,
  };
  const result = await sendWithSecret(client, GenerateKeyPairRequest.type, params, params.passphrase);
  if (!result.ok) {
    output.error(`Generating a key pair failed: ${result.error}`);
    if (!options.secretKeyPath) void vscode.window.showErrorMessage(`Wasm Warden: ${result.error}`);
    return result;
  }
  const message = `Generated an Ed25519 key pair (fingerprint ${result.fingerprint}): secret key ${secretKeyPath}, public key ${publicKeyPath}.`;
  output.info(message);
  if (!options.secretKeyPath) {
    const trust = 'Trust This Key in the Policy';
    void vscode.window
      .showInformationMessage(`Wasm Warden: ${message}`, trust)
      .then((answer) => (answer === trust ? trustKey({ publicKeyPath }) : undefined));
  }
  return result;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

function defaultPublicKeyPath(secretKeyPath: string, format: 'compact' | 'pem'): string {
  if (format === 'pem') return secretKeyPath.replace(/(\.key)?\.pem$/i, '') + '.pub.pem';
  return secretKeyPath.replace(/\.sk$/i, '') + '.pk';
}

/**
 * Sends a request that may carry a passphrase. A verbose LSP trace prints request parameters in
 * the output channel, so the trace is off while such a request is in flight, then restored.
 */
async function sendWithSecret<P, R>(
  client: LanguageClient,
  type: RequestType<P, R, void>,
  params: RequestParam<P>,
  secret: string | undefined,
): Promise<R> {
  const configured = vscode.workspace.getConfiguration('wasmWarden').get<string>('trace.server', 'off');
  if (!secret || configured === 'off') return client.sendRequest(type, params);
  await client.setTrace(Trace.Off);
  try {
    return await client.sendRequest(type, params);
  } finally {
    await client.setTrace(Trace.fromString(configured));
  }
}
