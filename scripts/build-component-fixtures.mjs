// Builds the WASI 0.2 component fixtures in test/fixtures/components/ from the C sources there:
// Debian clang --target=wasm32-wasi with wasi-libc makes a preview1 core module, and jco's
// component-new (from @bytecodealliance/jco-transpile) wraps it with the WASI preview1 command
// adapter into a component. The adapter ships in the @bytecodealliance/jco npm package; it is
// fetched with `npm pack` into a temporary folder (nothing is installed). Run once after changing
// a source: `node scripts/build-component-fixtures.mjs`; the outputs are committed.
// HTTP handlers (src-http/*.c) call wasi:http through hand-written canonical-ABI imports; their
// WIT (wit/handler.wit) is embedded with component-embed, and they need no adapter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { compileWasiC } from './wasi-clang.mjs';

const JCO_VERSION = '1.35.0';
const dir = 'test/fixtures/components';
const temp = mkdtempSync(join(tmpdir(), 'component-fixtures-'));
try {
  execFileSync('npm', ['pack', `@bytecodealliance/jco@${JCO_VERSION}`, '--silent'], { cwd: temp });
  execFileSync(
    'tar',
    ['xzf', `bytecodealliance-jco-${JCO_VERSION}.tgz`, 'package/lib/wasi_snapshot_preview1.command.wasm'],
    {
      cwd: temp,
    },
  );
  const adapter = readFileSync(join(temp, 'package/lib/wasi_snapshot_preview1.command.wasm'));
  for (const source of readdirSync(join(dir, 'src')).filter((f) => f.endsWith('.c'))) {
    const name = basename(source, '.c');
    const core = join(temp, `${name}.wasm`);
    compileWasiC(join(dir, 'src', source), core);
    const component = await componentNew(readFileSync(core), [['wasi_snapshot_preview1', adapter]]);
    writeFileSync(join(dir, `${name}.component.wasm`), component);
    console.log(`${name}.component.wasm: ${component.byteLength} bytes`);
  }
  const wit = readFileSync(join(dir, 'wit/handler.wit'), 'utf8');
  for (const source of readdirSync(join(dir, 'src-http')).filter((f) => f.endsWith('.c'))) {
    const name = basename(source, '.c');
    const core = join(temp, `${name}.wasm`);
    compileWasiC(join(dir, 'src-http', source), core, 'library');
    const embedded = await componentEmbed({ binary: readFileSync(core), witSource: wit, world: 'handler' });
    const component = await componentNew(embedded);
    writeFileSync(join(dir, `${name}.component.wasm`), component);
    console.log(`${name}.component.wasm: ${component.byteLength} bytes`);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
