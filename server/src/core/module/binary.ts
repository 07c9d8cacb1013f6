/**
 * Module facts from bytes: the entry point every reader of `.wasm` files uses. Dispatches on the
 * preamble to the core-module reader or the component reader. Never throws: malformed input yields
 * the facts read so far plus located `invalid-module` problems.
 */
import { hasComponentPreamble, readComponent } from './component';
import { emptyFacts, invalidModule, readCoreModule } from './coreModule';
import type { ModuleFacts } from './model';

export function readBinaryModule(bytes: Uint8Array): ModuleFacts {
  try {
    if (hasComponentPreamble(bytes)) return readComponent(bytes);
    return readCoreModule(bytes);
  } catch (error) {
    // The readers catch their own decoding errors; this guards against anything unforeseen.
    const facts = emptyFacts('module', 0, bytes.length);
    facts.problems.push(
      invalidModule(`internal error while reading the module: ${String(error)}`, 0, bytes.length),
    );
    return facts;
  }
}
