/** What a WASI 0.2 host function threw, as the component would see it: the WIT error, or 'ok'. */
import { WitError } from '../../server/src/core/sandbox/component/host/context';

export function witErrorOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error instanceof WitError ? error.payload : error;
  }
  return 'ok';
}
