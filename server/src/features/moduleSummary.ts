/**
 * One-line and Markdown summaries of a module: capabilities used, signature, policy in force.
 * Shared by the status bar request, CodeLens and the hover on the `module` keyword.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleFacts } from '../core/module/model';
import { worldFit, worldFitText } from '../core/component/worldFit';
import { detectAbis } from '../core/wasi/hostAbis';
import { capabilityOfImport } from '../core/wasi/catalogue';
import { verifyModuleSignatures, loadPublicKeys, type PublicKeyInfo } from '../core/signing';
import type { ModuleSummary } from '../protocol/moduleSummary';
import { uriToPath } from './fileUris';
import type { ModuleResult } from './moduleAnalysis';

/** Capability groups of every import, in first-use order; non-WASI modules as `host:<module>`. */
export function capabilitiesOf(facts: ModuleFacts[]): string[] {
  const seen = new Set<string>();
  const visit = (f: ModuleFacts): void => {
    for (const i of f.imports) seen.add(capabilityOfImport(i.module, i.name) ?? `host:${i.module}`);
    for (const i of f.components?.imports ?? []) seen.add(capabilityOfImport(i.name, '') ?? `host:${i.name}`);
    for (const inner of f.modules ?? []) visit(inner);
  };
  facts.forEach(visit);
  return [...seen];
}

/** Host ABIs beside WASI that the modules' imports target (nested core modules included). */
export function hostAbisOf(facts: ModuleFacts[]): string[] {
  const all = (f: ModuleFacts): ModuleFacts[] => [f, ...(f.modules ?? []).flatMap(all)];
  const imports = facts.flatMap(all).flatMap((f) => f.imports);
  return detectAbis(imports).map((a) => a.label);
}

function trustedKeys(result: ModuleResult): PublicKeyInfo[] {
  return result.policy.signature.trustedKeys.flatMap((file) => {
    try {
      const loaded = loadPublicKeys(readFileSync(file), file);
      return loaded.ok ? loaded.key : [];
    } catch {
      return [];
    }
  });
}

/**
 * The status bar asks on every diagnostics change: verify each analysis result once. A new
 * result (the file, its policy or its keys changed) is a new key, so nothing goes stale.
 */
const verified = new WeakMap<ModuleResult, ModuleSummary['signature']>();

function signatureOf(result: ModuleResult): ModuleSummary['signature'] {
  let signature = verified.get(result);
  if (!signature) {
    signature = verifySignatureOf(result);
    verified.set(result, signature);
  }
  return signature;
}

function verifySignatureOf(result: ModuleResult): ModuleSummary['signature'] {
  const file = uriToPath(result.uri);
  if (result.source === 'text' || !file) return { status: 'not-applicable', signers: [] };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    return { status: 'unsigned', signers: [] };
  }
  let detached: Uint8Array | undefined;
  try {
    detached = readFileSync(`${file}.sig`);
  } catch {
    detached = undefined;
  }
  const report = verifyModuleSignatures(bytes, {
    publicKeys: trustedKeys(result),
    detachedSignature: detached,
  });
  return {
    status: report.status,
    signers: report.signatures.map((s) => ({
      keyId: s.keyIdText ?? s.keyId,
      trusted: s.verifiedBy !== null,
      covers: !s.coverage
        ? 'nothing: the module changed after signing'
        : s.coverage.whole
          ? `the whole module (bytes ${s.coverage.start}–${s.coverage.end}, ${s.coverage.totalParts} part${s.coverage.totalParts === 1 ? '' : 's'})`
          : `only ${s.coverage.parts} of ${s.coverage.totalParts} parts (bytes ${s.coverage.start}–${s.coverage.end}); the rest is unsigned`,
    })),
  };
}

function signatureText(signature: ModuleSummary['signature']): string {
  if (signature.status === 'not-applicable') return 'text source';
  if (signature.status === 'unsigned') return 'unsigned';
  const who = signature.signers.map((s) =>
    s.keyId ? `${s.keyId.slice(0, 8)}${s.trusted ? ' ✓' : ''}` : s.trusted ? 'trusted key' : 'no key id',
  );
  return `${signature.status}${who.length ? ` (${who.join(', ')})` : ''}`;
}

function policyText(result: ModuleResult): string {
  const source = result.policy.source;
  if (source.kind === 'file')
    return path.basename(path.dirname(source.path)) + '/' + path.basename(source.path);
  if (source.kind === 'default') return 'no policy (built-in default)';
  return `broken policy (strict fallback)`;
}

/** For a component: `component, world wasi:cli/command@0.2.0` (see core/component/worldFit.ts). */
export function componentWorldText(result: ModuleResult): string | undefined {
  const facts = result.facts[0];
  if (facts?.kind !== 'component') return undefined;
  const required = result.policy.world;
  return `component, ${worldFitText(worldFit(facts, required && !('error' in required) ? required : undefined))}`;
}

export function summarize(result: ModuleResult): ModuleSummary {
  const capabilities = capabilitiesOf(result.facts);
  const signature = signatureOf(result);
  const source = result.policy.source;
  const policy =
    source.kind === 'file'
      ? { kind: source.kind, path: source.path }
      : source.kind === 'strict-fallback'
        ? { kind: source.kind, path: source.brokenPath }
        : { kind: source.kind };
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.filter((f) => f.severity === 'warning').length;
  const world = componentWorldText(result);
  const text = `${world ? `${world} · ` : ''}${capabilities.length ? capabilities.join(', ') : 'no imports'} · ${signatureText(signature)} · ${policyText(result)}`;
  const hostAbis = hostAbisOf(result.facts);
  return {
    capabilities,
    signature,
    policy,
    errors,
    warnings,
    ...(hostAbis.length ? { hostAbis } : {}),
    ...(world ? { world } : {}),
    text,
  };
}

/** The hover on a module: the summary as Markdown, with links to the policy. */
export function summaryMarkdown(result: ModuleResult, summary: ModuleSummary = summarize(result)): string {
  const facts = result.facts[0];
  const lines = [
    `**${facts?.kind === 'component' ? 'Component' : 'Module'}**${facts?.id ? ` \`${facts.id}\`` : ''}`,
    '',
  ];
  const world = summary.world?.replace(/^component, /, '');
  if (world) lines.push(`- ${world[0].toUpperCase()}${world.slice(1)}`);
  lines.push(
    `- Capabilities used: ${summary.capabilities.length ? summary.capabilities.map((c) => `\`${c}\``).join(', ') : 'none (no imports)'}`,
  );
  if (summary.hostAbis?.length) lines.push(`- Host ABI: ${summary.hostAbis.join(', ')}`);
  if (summary.signature.status === 'not-applicable')
    lines.push('- Signature: text source; sign the compiled `.wasm`');
  else if (summary.signature.status === 'unsigned') lines.push('- Signature: **unsigned**');
  else {
    lines.push(`- Signature: **${summary.signature.status}**`);
    for (const s of summary.signature.signers)
      lines.push(
        `  - key id \`${s.keyId ?? 'none'}\`: ${s.trusted ? 'verified by a trusted key' : 'not a trusted key'}; covers ${s.covers}`,
      );
  }
  const p = summary.policy;
  if (p.kind === 'file' && p.path)
    lines.push(`- Policy: [${path.basename(p.path)}](${pathToFileURL(p.path).href})`);
  else if (p.kind === 'default')
    lines.push(
      '- Policy: none governs this module; the built-in default applies (risky patterns and unbounded memory are flagged, imports are allowed). Create one with "Wasm Warden: Create Policy from Module".',
    );
  else
    lines.push(
      `- Policy: [${path.basename(p.path ?? '')}](${pathToFileURL(p.path ?? '').href}) is **broken**; the strict built-in policy applies until it is fixed`,
    );
  if (facts?.kind === 'component') {
    const c = facts.components;
    const cores = (facts.modules ?? []).filter((m) => m.kind === 'module').length;
    lines.push(
      `- ${c?.imports.length ?? 0} imports, ${c?.exports.length ?? 0} exports, ${cores} core modules inside`,
    );
  } else if (facts)
    lines.push(
      `- ${facts.functionCount} functions, ${facts.imports.length} imports, ${facts.exports.length} exports, ${facts.memories.length} memories`,
    );
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  lines.push(`- Findings: ${count(summary.errors, 'error')}, ${count(summary.warnings, 'warning')}`);
  return lines.join('\n');
}
