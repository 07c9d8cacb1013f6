/** `memory-limit`: memories larger than the policy allows, unbounded, shared, 64-bit or imported. */
import type { Finding } from '../findings';
import type { MemoryFact } from '../module/model';
import type { MemoryPolicy } from '../policy/types';
import type { MemoryLimitFixData } from './fixData';
import { createRule } from './rule';
import { WASM_PAGE_SIZE, formatBytes, formatPages } from './support/units';

/** The policy's byte limit: maxBytes when given, else maxPages of 64 KiB. */
export function memoryLimitBytes(memory: MemoryPolicy): number | undefined {
  if (memory.maxBytes !== undefined) return memory.maxBytes;
  if (memory.maxPages !== undefined) return memory.maxPages * WASM_PAGE_SIZE;
  return undefined;
}

function label(memory: MemoryFact): string {
  return `Memory ${memory.index}${memory.imported ? ' (imported)' : ''}`;
}

export const memoryLimit = createRule({
  meta: {
    id: 'memory-limit',
    description:
      'Memories above the policy limit, without a maximum, shared, 64-bit or imported where not allowed.',
    rationale:
      'Memory is the one resource a module takes without asking. An unbounded or oversized memory lets a module exhaust its host; shared and imported memories widen what it can touch.',
    defaultSeverity: 'error',
    policyFields: [
      'memory.maxPages',
      'memory.maxBytes',
      'memory.requireMaximum',
      'memory.allowShared',
      'memory.allowMemory64',
      'memory.allowImported',
    ],
    needsCode: false,
    messages: {
      initialTooLarge: '{{memory}} starts at {{size}}, above the policy limit of {{limit}}.',
      maximumTooLarge: '{{memory}} may grow to {{size}}, above the policy limit of {{limit}}.',
      noMaximum: '{{memory}} declares no maximum, so it can grow to {{ceiling}}{{limitNote}}.',
      shared: '{{memory}} is shared between threads; the policy does not allow shared memory.',
      memory64: '{{memory}} uses 64-bit addresses; the policy does not allow memory64.',
      imported:
        '{{memory}} comes from "{{module}}.{{name}}": the host hands this module memory it shares with others; the policy does not allow imported memory.',
    },
  },
  check(context) {
    const { facts, policy } = context;
    const rules = policy.memory;
    const limit = memoryLimitBytes(rules);
    const limitDecidedBy = rules.maxBytes !== undefined ? rules.decidedBy.maxBytes : rules.decidedBy.maxPages;
    const limitText = limit === undefined ? '' : formatBytes(limit);
    const limitPages = limit === undefined ? null : Math.floor(limit / WASM_PAGE_SIZE);
    const findings: Finding[] = [];

    for (const memory of facts.memories) {
      const name = label(memory);
      const fix = {
        memoryIndex: memory.index,
        limitPages,
        limitBytes: limit ?? null,
        pageSize: memory.pageSize,
      };
      const bytesOf = (pages: number) => pages * memory.pageSize;

      if (limit !== undefined && bytesOf(memory.initial) > limit) {
        findings.push(
          context.report({
            messageId: 'initialTooLarge',
            location: memory.location,
            data: { memory: name, size: formatPages(memory.initial, memory.pageSize), limit: limitText },
            decidedBy: limitDecidedBy,
            fix: { ...fix, problem: 'initial', pages: memory.initial } satisfies MemoryLimitFixData,
          }),
        );
      }
      if (memory.maximum !== null) {
        if (limit !== undefined && bytesOf(memory.maximum) > limit) {
          findings.push(
            context.report({
              messageId: 'maximumTooLarge',
              location: memory.location,
              data: { memory: name, size: formatPages(memory.maximum, memory.pageSize), limit: limitText },
              decidedBy: limitDecidedBy,
              fix: { ...fix, problem: 'maximum', pages: memory.maximum } satisfies MemoryLimitFixData,
            }),
          );
        }
      } else if (rules.requireMaximum) {
        // The engine's own ceiling: 4 GiB for 32-bit memories, 16 EiB of address space for 64-bit.
        const ceiling = memory.memory64 ? 2 ** 64 : Math.min(2 ** 32, 65536 * memory.pageSize);
        findings.push(
          context.report({
            messageId: 'noMaximum',
            // The built-in default asks for a maximum as advice; a policy file that requires one means it.
            severity:
              rules.decidedBy.requireMaximum?.file.startsWith('<built-in') === false ? 'error' : 'warning',
            location: memory.location,
            data: {
              memory: name,
              ceiling: formatBytes(ceiling),
              limitNote: limit === undefined ? '' : ` (policy limit ${limitText})`,
            },
            decidedBy: rules.decidedBy.requireMaximum,
            fix: { ...fix, problem: 'noMaximum' } satisfies MemoryLimitFixData,
          }),
        );
      }
      if (memory.shared && !rules.allowShared) {
        findings.push(
          context.report({
            messageId: 'shared',
            location: memory.location,
            data: { memory: name },
            decidedBy: rules.decidedBy.allowShared,
            fix: { ...fix, problem: 'shared' } satisfies MemoryLimitFixData,
          }),
        );
      }
      if (memory.memory64 && !rules.allowMemory64) {
        findings.push(
          context.report({
            messageId: 'memory64',
            location: memory.location,
            data: { memory: name },
            decidedBy: rules.decidedBy.allowMemory64,
            fix: { ...fix, problem: 'memory64' } satisfies MemoryLimitFixData,
          }),
        );
      }
      if (memory.imported && !rules.allowImported) {
        const source = facts.imports.find((i) => i.kind === 'memory' && i.index === memory.index);
        findings.push(
          context.report({
            messageId: 'imported',
            location: source?.location ?? memory.location,
            data: { memory: name, module: source?.module ?? '?', name: source?.name ?? '?' },
            decidedBy: rules.decidedBy.allowImported,
            fix: { ...fix, problem: 'imported' } satisfies MemoryLimitFixData,
          }),
        );
      }
    }
    return findings;
  },
});
