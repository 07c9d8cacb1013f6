/**
 * The component transpiler process: receives a component's bytes, turns it into JavaScript glue
 * plus core modules with jco's bindgen (instantiation mode: the sandbox supplies every import),
 * and sends the files back. It runs apart from the server because bindgen is seconds of
 * synchronous work, and it never runs the component.
 */
import { readFile } from 'node:fs/promises';
import type { TranspileReply, TranspileRequest } from './messages';

async function transpile(request: TranspileRequest): Promise<TranspileReply> {
  if (request.type === 'parse') {
    const [tools, text] = await Promise.all([
      import('@bytecodealliance/jco-transpile/wasm-tools'),
      readFile(request.textFile, 'utf8'),
    ]);
    try {
      return { type: 'parsed', bytes: await tools.parse(text) };
    } catch (error) {
      const payload = (error as { payload?: unknown })?.payload ?? error;
      return { type: 'error', message: String((payload as Error)?.message ?? payload) };
    }
  }
  const bindgen = await import('@bytecodealliance/jco-transpile/component');
  await bindgen.$init;
  try {
    const generated = bindgen.generate(request.bytes, {
      name: 'component',
      instantiation: { tag: 'sync' },
      noTypescript: true,
      noNodejsCompat: true,
      // Core modules stay separate files, compiled once in the sandbox process.
      base64Cutoff: 1 << 30,
    });
    return {
      type: 'done',
      files: generated.files.map(([name, data]) => [name, data] as [string, Uint8Array]),
      imports: generated.imports,
      exports: generated.exports.map(([name, kind]) => [name, kind]),
    };
  } catch (error) {
    const payload = (error as { payload?: unknown })?.payload ?? error;
    return { type: 'error', message: String((payload as Error)?.message ?? payload) };
  }
}

process.once('message', (request: TranspileRequest) => {
  void transpile(request).then(
    (reply) => process.send?.(reply, undefined, undefined, () => process.disconnect?.()),
    (error: unknown) =>
      process.send?.(
        { type: 'error', message: String(error) } satisfies TranspileReply,
        undefined,
        undefined,
        () => process.disconnect?.(),
      ),
  );
});
