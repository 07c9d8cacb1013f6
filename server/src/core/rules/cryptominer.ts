/** `cryptominer`: functions whose opcode profile matches CryptoNight's primitives, MineSweeper-style. */
import type { SourceLocation } from '../location';
import type { FixDataByRule } from './fixData';
import { createRule } from './rule';
import {
  FAMILY_NAMES,
  familyPrefilter,
  looksLikeCryptoNight,
  matchFamilies,
  type MinerFamily,
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
        'This module carries every CryptoNight building block ({{families}}): it is very likely a cryptocurrency miner. The AES-like rounds are in function {{func}}.',
    },
  },
  check(context) {
    if (!context.code) return [];
    const found = new Map<MinerFamily, Array<{ funcIndex: number; location: SourceLocation }>>();
    for (const fn of context.code.functionsWhere(familyPrefilter())) {
      for (const family of matchFamilies(fn.counts)) {
        const list = found.get(family) ?? [];
        list.push({ funcIndex: fn.funcIndex, location: fn.location });
        found.set(family, list);
      }
    }
    if (!looksLikeCryptoNight(new Set(found.keys()))) return [];
    // Point at the table-round function: CryptoNight's memory-hard AES loop is where mining happens.
    const anchor = found.get('tTable')![0];
    const name =
      context.facts.functionNames[anchor.funcIndex] ??
      context.facts.functions.find((f) => f.index === anchor.funcIndex)?.name;
    return [
      context.report({
        messageId: 'miner',
        location: anchor.location,
        data: {
          families: [...found.keys()].map((f) => FAMILY_NAMES[f]).join(', '),
          func: name
            ? `${name.startsWith('$') ? name : `$${name}`} (index ${anchor.funcIndex})`
            : String(anchor.funcIndex),
        },
        fix: {
          functions: Object.fromEntries([...found].map(([f, list]) => [f, list.map((x) => x.funcIndex)])),
        } satisfies FixDataByRule['cryptominer'],
      }),
    ];
  },
});
