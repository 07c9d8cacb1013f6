/**
 * `capability-change`: the rollout gate. With a baseline (`check --baseline`, or the editor's
 * committed version), every capability the module gained since then is a finding — even when the
 * policy allows it — so a pipeline can refuse a version that widened its reach. No baseline, no
 * findings.
 */
import { diffSurfaces } from '../diff/diffSurfaces';
import { gains, type Gain } from '../diff/gains';
import { moduleSurface } from '../diff/surface';
import type { SourceLocation } from '../location';
import type { ModuleFacts } from '../module/model';
import { createRule } from './rule';

/** The version a module is compared with. */

function locate(facts: ModuleFacts, gain: Gain): SourceLocation {
  if (gain.key !== undefined) {
    if (gain.kind === 'import' || gain.kind === 'capability') {
      const found = facts.components
        ? facts.components.imports.find((i) => i.name === gain.key)
        : facts.imports.find((i) => `${i.module}.${i.name}` === gain.key);
      if (found) return found.location;
    }
    if (gain.kind === 'memory') {
      const found = facts.memories.find((m) => `memory ${m.index}` === gain.key);
      if (found) return found.location;
    }
    if (gain.kind === 'table') {
      const found = facts.tables.find((t) => `table ${t.index}` === gain.key);
      if (found) return found.location;
    }
  }
  if (gain.kind === 'start' && facts.start) return facts.start.location;
  if (gain.kind === 'signature' && facts.signature) return facts.signature.location;
  return facts.location;
}

export const capabilityChange = createRule({
  meta: {
    id: 'capability-change',
    description: 'Capabilities a module gained since a baseline version (imports, limits, start, signature).',
    rationale:
      'A new version that can do more than the one in production deserves a look before it ships, even when the policy allows it: a rollout gate refuses it until someone accepts the change.',
    defaultSeverity: 'warning',
    policyFields: [],
    needsCode: false,
    needsSignature: true,
    messages: {
      gained: 'Since the baseline ({{baseline}}) this module gained {{gain}}.',
      added: 'This module is not in the baseline ({{baseline}}): it arrives with {{what}}.',
    },
  },
  check(context) {
    const baseline = context.baseline;
    if (!baseline || context.nested || context.facts.source !== 'binary') return [];
    const surface = moduleSurface({
      facts: context.facts,
      size: context.bytes?.length ?? 0,
      signature: context.signature?.report,
    });
    if (!baseline.surface) {
      const groups = surface.capabilities;
      const what = [
        groups.length ? `capability groups ${groups.join(', ')}` : 'no WASI capability group',
        `${surface.imports.length} import${surface.imports.length === 1 ? '' : 's'}`,
      ].join(' and ');
      return [
        context.report({
          messageId: 'added',
          location: context.facts.location,
          data: { baseline: baseline.label, what },
          fix: { change: 'new-module', capabilities: groups },
        }),
      ];
    }
    return gains(diffSurfaces(baseline.surface, surface)).map((gain) =>
      context.report({
        messageId: 'gained',
        location: locate(context.facts, gain),
        data: { baseline: baseline.label, gain: gain.text },
        fix: { change: gain.kind, ...(gain.key !== undefined ? { key: gain.key } : {}) },
      }),
    );
  },
});
