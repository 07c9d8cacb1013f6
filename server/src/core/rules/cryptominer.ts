/** `cryptominer`: functions whose opcode profile matches CryptoNight's primitives, MineSweeper-style. */
import type { SourceLocation } from '../location';
import { createRule } from './rule';
import {
  looksLikeCryptoNight,
  matchPrimitives,
  PRIMITIVE_NAMES,
  type Primitive,
} from './support/minerFingerprints';

export const cryptominer = createRule({
  meta: {
    id: 'cryptominer',
    description: 'Function bodies whose xor/shift/rotate profile matches the CryptoNight mining algorithm.',
    rationale:
      'Drive-by miners ship CryptoNight as WebAssembly; its primitives (Keccak, AES, BLAKE, Grøstl, JH, Skein) leave a recognisable count of cryptographic operations per function.',
    defaultSeverity: 'error',
    policyFields: ['rules.cryptominer'],
    needsCode: true,
    messages: {
      miner:
        'This module carries the CryptoNight primitives ({{primitives}}): it is very likely a cryptocurrency miner. The {{anchorPrimitive}} code is in function {{func}}.',
    },
  },
  check(context) {
    if (!context.code) return [];
    const found = new Map<Primitive, Array<{ funcIndex: number; location: SourceLocation }>>();
    for (const fn of context.code.functions()) {
      for (const primitive of matchPrimitives(fn.opcodeCounts)) {
        const list = found.get(primitive) ?? [];
        list.push({ funcIndex: fn.funcIndex, location: fn.location });
        found.set(primitive, list);
      }
    }
    if (!looksLikeCryptoNight(new Set(found.keys()))) return [];
    // Point at the AES function: CryptoNight's memory-hard loop is where the mining happens.
    const anchor = found.get('aes')![0];
    const name =
      context.facts.functionNames[anchor.funcIndex] ??
      context.facts.functions.find((f) => f.index === anchor.funcIndex)?.name;
    const primitives = [...found.keys()].map((p) => PRIMITIVE_NAMES[p]).join(', ');
    return [
      context.report({
        messageId: 'miner',
        location: anchor.location,
        data: {
          primitives,
          anchorPrimitive: PRIMITIVE_NAMES.aes,
          func: name
            ? `${name.startsWith('$') ? name : `$${name}`} (index ${anchor.funcIndex})`
            : String(anchor.funcIndex),
        },
        fix: {
          functions: Object.fromEntries([...found].map(([p, list]) => [p, list.map((f) => f.funcIndex)])),
        },
      }),
    ];
  },
});
