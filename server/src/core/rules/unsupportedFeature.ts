/** `unsupported-feature`: proposals the policy's target runtime or the sandbox cannot run. */
import type { Finding } from '../findings';
import { engineName, engineSupports } from '../module/engineSupport';
import type { Proposal } from '../module/model';
import type { FixDataByRule } from './fixData';
import { createRule } from './rule';

export const unsupportedFeature = createRule({
  meta: {
    id: 'unsupported-feature',
    description: 'WebAssembly proposals the module uses that its target runtime or the sandbox cannot run.',
    rationale:
      'A module that needs a proposal its runtime lacks fails to load in production; one the sandbox engine lacks cannot be previewed here.',
    defaultSeverity: 'warning',
    policyFields: ['runtime.name', 'runtime.features'],
    // Some proposals (SIMD, atomics, tail calls) only show in instructions; decoded only for `runtime`.
    needsCode: true,
    messages: {
      runtime:
        'The module uses the {{proposal}} proposal, which the target runtime{{runtime}} does not list in its features.',
      sandbox:
        'The module uses the {{proposal}} proposal, which the sandbox engine ({{engine}}) cannot run: "Run in Sandbox" will fail.',
      component:
        'The component uses the component-model feature {{feature}}, which the target runtime{{runtime}} does not list in its features; runtimes on WASI 0.2 lack it.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const target = policy.runtime?.features ? new Set(policy.runtime.features) : undefined;
    // Instructions are decoded only to compare with a declared runtime. For the sandbox the
    // section-level proposals suffice: what only shows in code (relaxed SIMD, exnref) makes the
    // engine refuse the module, and validation already reports that as unsupported-by-engine.
    const fromCode = target ? (context.code?.proposals() ?? []) : [];
    const used = new Set<Proposal>([...facts.proposals, ...fromCode]);
    const findings: Finding[] = [];
    const runtime = policy.runtime?.name ? ` "${policy.runtime.name}"` : '';
    for (const proposal of used) {
      if (target && !target.has(proposal)) {
        findings.push(
          context.report({
            messageId: 'runtime',
            severity: 'error',
            location: facts.location,
            data: { proposal, runtime },
            fix: { proposal, target: 'runtime' } satisfies FixDataByRule['unsupported-feature'],
          }),
        );
      }
      if (!engineSupports(proposal)) {
        findings.push(
          context.report({
            messageId: 'sandbox',
            location: facts.location,
            data: { proposal, engine: engineName() },
            fix: { proposal, target: 'sandbox' } satisfies FixDataByRule['unsupported-feature'],
          }),
        );
      }
    }
    // Component-model features beyond WASI 0.2 (async, error-context, fixed-size lists…), where
    // first used; a runtime that lists them in `runtime.features` accepts them.
    for (const { feature, location } of facts.components?.features ?? []) {
      if (target?.has(feature as Proposal)) continue;
      findings.push(
        context.report({
          messageId: 'component',
          severity: target ? 'error' : 'warning',
          location,
          data: { feature, runtime },
        }),
      );
    }
    return findings;
  },
});
