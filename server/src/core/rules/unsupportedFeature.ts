/** `unsupported-feature`: proposals the policy's target runtime or the sandbox cannot run. */
import type { Finding } from '../findings';
import { createRule } from './rule';
import { SANDBOX_ENGINE, SANDBOX_FEATURES } from './support/engineFeatures';

export const unsupportedFeature = createRule({
  meta: {
    id: 'unsupported-feature',
    description: 'WebAssembly proposals the module uses that its target runtime or the sandbox cannot run.',
    rationale:
      'A module that needs a proposal its runtime lacks fails to load in production; one the sandbox lacks cannot be previewed or tested safely here.',
    defaultSeverity: 'warning',
    policyFields: ['runtime.name', 'runtime.features'],
    needsCode: false,
    messages: {
      runtime:
        'The module uses {{proposal}}, which the target runtime{{runtime}} does not list in its features.',
      sandbox:
        'The module uses {{proposal}}, which the sandbox engine ({{engine}}) cannot run: "Run in Sandbox" will fail.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const findings: Finding[] = [];
    const target = policy.runtime?.features ? new Set(policy.runtime.features) : undefined;
    const runtimeName = policy.runtime?.name ? ` "${policy.runtime.name}"` : '';
    for (const proposal of facts.proposals) {
      if (target && !target.has(proposal)) {
        findings.push(
          context.report({
            messageId: 'runtime',
            severity: 'error',
            location: facts.location,
            data: { proposal, runtime: runtimeName },
            fix: { proposal, target: 'runtime' },
          }),
        );
      } else if (!SANDBOX_FEATURES.has(proposal)) {
        findings.push(
          context.report({
            messageId: 'sandbox',
            location: facts.location,
            data: { proposal, engine: SANDBOX_ENGINE },
            fix: { proposal, target: 'sandbox' },
          }),
        );
      }
    }
    return findings;
  },
});
