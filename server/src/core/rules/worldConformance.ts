/**
 * `world-conformance`: a component must fit the world its policy requires (`imports.world`):
 * no import outside the world, and every export the world requires.
 */
import type { Finding } from '../findings';
import { interfaceMatches } from '../component/standardWorlds';
import { createRule } from './rule';

export const worldConformance = createRule({
  meta: {
    id: 'world-conformance',
    description:
      'Component imports outside the world the policy requires, and exports the world requires but the component lacks.',
    rationale:
      'A world is the contract between a component and its host: an import outside it fails to link (or reaches a capability the host never meant to give), and a missing export leaves the host nothing to call.',
    defaultSeverity: 'error',
    policyFields: ['imports.world'],
    needsCode: false,
    messages: {
      outside: 'Import "{{name}}" is outside the world {{world}}{{near}}.',
      missing:
        'The world {{world}} requires the export "{{name}}", which the component does not have{{near}}.',
      unresolved: 'The policy requires the world "{{world}}", which cannot be used: {{reason}}.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const required = policy.world;
    if (!required || facts.kind !== 'component' || context.nested) return [];
    const findings: Finding[] = [];
    if ('error' in required) {
      findings.push(
        context.report({
          messageId: 'unresolved',
          location: facts.location,
          data: { world: required.spec, reason: required.error },
        }),
      );
      return findings;
    }
    const base = (name: string) => name.split('@')[0];
    const near = (name: string, list: string[]) => {
      const other = list.find((n) => base(n) === base(name));
      return other ? ` (the world has ${other}; versions must be semver-compatible)` : '';
    };
    for (const imp of facts.components?.imports ?? []) {
      // Plain type imports (`type files = …`) are part of the component's own world, not the host's.
      if (imp.kind === 'type') continue;
      if (required.imports.some((r) => interfaceMatches(imp.name, r))) continue;
      findings.push(
        context.report({
          messageId: 'outside',
          location: imp.location,
          data: { name: imp.name, world: required.name, near: near(imp.name, required.imports) },
        }),
      );
    }
    const exports = facts.components?.exports ?? [];
    for (const name of required.exports) {
      if (exports.some((e) => interfaceMatches(e.name, name))) continue;
      const other = exports.map((e) => e.name);
      findings.push(
        context.report({
          messageId: 'missing',
          location: facts.location,
          data: { name, world: required.name, near: near(name, other) },
        }),
      );
    }
    return findings;
  },
});
