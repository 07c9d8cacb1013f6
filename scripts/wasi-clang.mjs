// Compiles one C file to a WASI preview1 core module with Debian's clang and wasi-libc. Debian has
// no compiler-rt for wasm32, so crt1 and libc are linked by hand (the fixtures need no builtins).
import { execFileSync } from 'node:child_process';

/** `kind`: "command" (crt1, `_start` → main) or "library" (no entry; exports come from the source). */
export function compileWasiC(source, output, kind = 'command') {
  const entry = kind === 'command' ? ['/usr/lib/wasm32-wasi/crt1-command.o'] : ['-Wl,--no-entry'];
  execFileSync('clang', [
    '--target=wasm32-wasi',
    '--sysroot=/usr',
    '-O2',
    '-nostdlib',
    ...entry,
    source,
    '-L/usr/lib/wasm32-wasi',
    '-lc',
    '-o',
    output,
  ]);
}
