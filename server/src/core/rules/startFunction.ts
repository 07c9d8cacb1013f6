/** `start-function`: a start function runs as soon as the module is instantiated. */
import type { FixDataByRule } from './fixData';
import { createRule } from './rule';

export const startFunction = createRule({
  meta: {
    id: 'start-function',
    description: 'A start function, which runs on instantiation before the host calls anything.',
    rationale:
      'Code in a start function runs the moment the module is instantiated, before the host can inspect exports or decide what to call; a reviewer should know it is there.',
    defaultSeverity: 'info',
    policyFields: ['rules.start-function'],
    needsCode: false,
    messages: {
      start:
        'Function {{func}} runs automatically when the module is instantiated (start function){{imported}}.',
    },
  },
  check(context) {
    const { facts } = context;
    const start = facts.start;
    if (!start) return [];
    const name = start.funcName ?? facts.functionNames[start.funcIndex];
    const func = name
      ? `${name.startsWith('$') ? name : `$${name}`} (index ${start.funcIndex})`
      : `${start.funcIndex}`;
    const imported = facts.imports.find((i) => i.kind === 'func' && i.index === start.funcIndex);
    return [
      context.report({
        messageId: 'start',
        location: start.location,
        data: {
          func,
          imported: imported ? `; it is the host import "${imported.module}.${imported.name}"` : '',
        },
        fix: { funcIndex: start.funcIndex } satisfies FixDataByRule['start-function'],
      }),
    ];
  },
});
