/**
 * Validation of binaries by the running engine: V8 compiles (never instantiates) the module and its
 * error message, which carries `@+offset`, becomes a located `invalid-module` finding. When the
 * module uses a proposal this engine does not know, the failure is reported as exactly that
 * (`unsupported-by-engine`), never as "malformed". Components are not compiled by V8: their nested
 * core modules are validated one by one instead.
 */
import { readBinaryModule } from './binary';
import { allProposals } from './code';
import { allCoreModules } from './component';
import { invalidModule } from './coreModule';
import { engine, engineName, unsupportedProposals } from './engineSupport';
import type { ModuleFacts } from './model';
import type { Finding } from '../findings';
import { byteSpan } from '../location';

/** Cleans a V8 compile error into a message and an absolute offset. */
function fromEngineError(error: unknown, base: number): { message: string; offset: number | null } {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/^WebAssembly\.Module\(\): /, '').replace(/^WebAssembly\.compile\(\): /, '');
  const at = /@\+(\d+)/.exec(message);
  return { message: message.replace(/\s*@\+\d+$/, ''), offset: at ? base + Number(at[1]) : null };
}

function judgeFailure(
  bytes: Uint8Array,
  facts: ModuleFacts,
  error: unknown,
  base: number,
  end: number,
): Finding {
  const { message, offset } = fromEngineError(error, base);
  // Body-level proposals are only needed now, when the engine refused the module.
  const unsupported = unsupportedProposals(allProposals(bytes, facts));
  if (unsupported.length > 0) {
    const list = unsupported.join(', ');
    return {
      ruleId: 'unsupported-by-engine',
      severity: 'warning',
      message: `this engine (${engineName()}) cannot validate the ${list} proposal${unsupported.length > 1 ? 's' : ''} this module uses, so it was not validated (the engine said: ${message})`,
      location: offset === null ? byteSpan(base, 0) : byteSpan(offset, 1),
      data: { proposals: unsupported, engineMessage: message },
    };
  }
  return invalidModule(message, offset ?? base, end);
}

function validateCore(bytes: Uint8Array, facts: ModuleFacts): Finding[] {
  const { offset, length } = facts.location as { offset: number; length: number };
  const own = bytes.subarray(offset, offset + length);
  // validate() generates no code, so it costs less than compiling; only a module it rejects is
  // compiled, for the engine's message with its byte offset.
  if (engine.validate(own)) return [];
  try {
    new engine.Module(own);
  } catch (error) {
    return [judgeFailure(bytes, facts, error, offset, offset + length)];
  }
  return [judgeFailure(bytes, facts, new Error('the engine rejected this module'), offset, offset + length)];
}

export interface EngineVerdict {
  findings: Finding[];
  /** Where each core module the engine accepted (or was told is valid) starts in the file. */
  accepted: number[];
}

/**
 * Validates a binary module or component. Problems found while reading (malformed sections) are
 * returned as they are, with the engine's verdict added when the reader found nothing.
 * `knownValid` holds the offsets of core modules the engine already accepted with these very
 * non-custom sections, up to the bytes of data segments (neither custom sections nor those bytes
 * make a module invalid): they are not asked again.
 */
export function validateModules(
  bytes: Uint8Array,
  facts: ModuleFacts = readBinaryModule(bytes),
  knownValid: readonly number[] = [],
): EngineVerdict {
  const readErrors = facts.problems.filter((p) => p.severity === 'error');
  if (readErrors.length > 0) return { findings: readErrors, accepted: [] };
  const findings: Finding[] = [];
  const accepted: number[] = [];
  for (const module of allCoreModules(facts)) {
    const offset = (module.location as { offset: number }).offset;
    const verdict = knownValid.includes(offset) ? [] : validateCore(bytes, module);
    if (verdict.length === 0) accepted.push(offset);
    findings.push(...verdict);
  }
  return { findings, accepted };
}

/** The findings of `validateModules`. */
export function validateBinary(bytes: Uint8Array, facts: ModuleFacts = readBinaryModule(bytes)): Finding[] {
  return validateModules(bytes, facts).findings;
}
