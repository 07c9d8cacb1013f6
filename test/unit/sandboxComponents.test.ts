/**
 * Components in the sandbox: WASI 0.2 commands and HTTP handlers built from C by
 * scripts/build-component-fixtures.mjs, run through a real sandbox process under the policy.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { loadGlue, runComponent } from '../../server/src/core/sandbox/component/childRun';
import type { HostContext } from '../../server/src/core/sandbox/component/host/context';
import { WitError } from '../../server/src/core/sandbox/component/host/context';
import { socketInterfaces } from '../../server/src/core/sandbox/component/host/sockets';
import { endpointAllowed, hostAllowed } from '../../server/src/core/sandbox/component/networkAllow';
import { BINDGEN_VERSION } from '../../server/src/core/sandbox/component/transpile';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import { exitCodeFor, type SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';
import { processGone } from '../support/processes';
import { witErrorOf } from '../support/witError';
import { loadShim } from '../../server/src/core/sandbox/shim';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/components');
const component = (name: string): string => path.join(fixtures, `${name}.component.wasm`);

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 20_000, ...overrides };
}

function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const st = fs.lstatSync(path.join(dir, f));
      return `${f} ${st.size} ${st.mtimeMs}`;
    });
}

describe('sandbox: components', function () {
  // The first run of each fixture transpiles it (seconds on a loaded machine); later runs hit the cache.
  this.timeout(180_000);
  let cacheDir: string;
  let scratch: string;
  let fixturesBefore: string[];
  const run = async (options: Omit<SandboxRunOptions, 'componentCacheDir'>): Promise<SandboxReport> => {
    const handle = startSandboxRun({ ...options, componentCacheDir: cacheDir });
    const report = await handle.done;
    assert.ok(handle.pid !== undefined && processGone(handle.pid), `sandbox process ${handle.pid} is gone`);
    return report;
  };
  before(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-components-cache-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-components-'));
    fixturesBefore = snapshot(fixtures);
  });
  after(() => {
    assert.deepEqual(snapshot(fixtures), fixturesBefore, 'the fixtures are untouched');
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a command with arguments and only the environment the policy lists', async () => {
    process.env.WW_HOST_SECRET = 'do-not-leak';
    try {
      const progress: string[] = [];
      const report = await run({
        file: component('hello'),
        policy: policy({ env: { GREETING: 'hi' }, args: ['from-policy'] }),
        args: ['a', 'b c'],
        onProgress: (m) => progress.push(m),
      });
      assert.deepEqual(report.outcome, { kind: 'exit', code: 0 });
      assert.equal(report.stdout.text, 'hello from-policy a b c\nenv GREETING=hi\n');
      assert.ok(!report.stdout.text.includes('do-not-leak'));
      assert.equal(report.mode, 'component');
      assert.equal(report.component?.world, 'command');
      assert.ok(report.hostCalls['wasi:cli/environment#get-arguments'] >= 1);
      assert.ok(report.hostCalls['wasi:io/streams#[method]output-stream.blocking-write-and-flush'] >= 1);
      assert.deepEqual(report.missingImports, []);
      assert.match(progress[0] ?? '', /transpiling the component/);
      const again = await run({ file: component('hello'), policy: policy() });
      assert.equal(again.component?.cached, true);
      assert.equal(again.stdout.text, 'hello\n');
    } finally {
      delete process.env.WW_HOST_SECRET;
    }
  });

  it('reports a failing exit as code 1 (WASI 0.2 exit carries only ok or err)', async () => {
    const report = await run({ file: component('hello'), policy: policy(), args: ['x'] });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(exitCodeFor(report.outcome), 1);
  });

  it('runs component text (.wat) through wasm-tools, and run returning err is exit code 1', async () => {
    const report = await run({ file: path.join(fixtures, 'run-err.wat'), policy: policy() });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(report.component?.world, 'command');
  });

  const preopens = (): { input: string; output: string; policy: SandboxPolicy } => {
    const input = fs.mkdtempSync(path.join(scratch, 'in-'));
    const output = fs.mkdtempSync(path.join(scratch, 'out-'));
    fs.writeFileSync(path.join(input, 'source.txt'), 'some text\n');
    fs.mkdirSync(path.join(input, 'sub'));
    return {
      input,
      output,
      policy: policy({
        preopens: [
          { host: input, guest: '/in', mode: 'ro' },
          { host: output, guest: '/out', mode: 'rw' },
        ],
      }),
    };
  };

  it('copies a file between preopens, in memory unless write-back was confirmed', async () => {
    const { output, policy: p } = preopens();
    const report = await run({
      file: component('files'),
      policy: p,
      args: ['copy', '/in/source.txt', '/out/copy.txt'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 0 });
    assert.equal(report.stdout.text, 'copied 10 bytes\n');
    assert.deepEqual(report.writtenFiles, [
      { host: path.join(fs.realpathSync(output), 'copy.txt'), bytes: 10, writtenBack: false },
    ]);
    assert.deepEqual(fs.readdirSync(output), []);
    const confirmed = await run({
      file: component('files'),
      policy: p,
      args: ['copy', '/in/source.txt', '/out/copy.txt'],
      writeBack: true,
    });
    assert.equal(confirmed.writtenFiles[0]?.writtenBack, true);
    assert.equal(fs.readFileSync(path.join(output, 'copy.txt'), 'utf8'), 'some text\n');
  });

  it('denies a write into a read-only preopen with read-only, as a violation', async () => {
    const { input, policy: p } = preopens();
    const before = snapshot(input);
    const report = await run({ file: component('files'), policy: p, args: ['write', '/in/new.txt', 'x'] });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(report.stdout.text, 'create /in/new.txt: Read-only file system\n');
    assert.deepEqual(
      report.violations.map((v) => [v.call, v.args.path, v.reason]),
      [
        [
          'wasi:filesystem/types#[method]descriptor.open-at',
          'new.txt',
          'the preopened directory /in is read-only',
        ],
      ],
    );
    assert.deepEqual(snapshot(input), before);
  });

  it('keeps /etc/passwd and ".." escapes out', async () => {
    const { policy: p } = preopens();
    const passwd = await run({ file: component('files'), policy: p, args: ['read', '/etc/passwd'] });
    assert.deepEqual(passwd.outcome, { kind: 'exit', code: 1 });
    assert.doesNotMatch(passwd.stdout.text, /root:/);
    const escape = await run({ file: component('files'), policy: p, args: ['read', '/in/../../etc/passwd'] });
    assert.deepEqual(escape.outcome, { kind: 'exit', code: 1 });
    assert.doesNotMatch(escape.stdout.text, /root:/);
    assert.equal(escape.violations.length, 1);
    assert.equal(escape.violations[0].args.path, '../../etc/passwd');
    assert.match(escape.violations[0].reason, /climbs out/);
    const deeper = await run({ file: component('files'), policy: p, args: ['read', '/in/sub/../../x'] });
    assert.deepEqual(deeper.outcome, { kind: 'exit', code: 1 });
    assert.equal(deeper.violations[0]?.args.path, 'sub/../../x');
  });

  it('follows ".." that stays inside the preopen, through directories that exist', async () => {
    const { policy: p } = preopens();
    const read = (file: string) => run({ file: component('files'), policy: p, args: ['read', file] });
    const inside = await read('/in/sub/../source.txt');
    assert.deepEqual(inside.outcome, { kind: 'exit', code: 0 });
    assert.equal(inside.stdout.text, 'read: some text\n\n');
    assert.deepEqual(inside.violations, []);
    // As on disk: `missing/..` and `file/..` do not resolve (and are no violation).
    const missing = await read('/in/missing/../source.txt');
    assert.equal(missing.stdout.text, 'open /in/missing/../source.txt: No such file or directory\n');
    const throughFile = await read('/in/source.txt/../source.txt');
    assert.equal(throughFile.stdout.text, 'open /in/source.txt/../source.txt: Not a directory\n');
    assert.deepEqual([...missing.violations, ...throughFile.violations], []);
  });

  it('kills an infinite loop at the time limit', async () => {
    const report = await run({ file: component('loop'), policy: policy({ timeoutMs: 1000 }) });
    assert.equal(report.outcome.kind, 'timeout');
  });

  it('holds a memory bomb at the memory cap', async () => {
    const cap = 16 * 1024 * 1024;
    const report = await run({ file: component('bomb'), policy: policy({ maxMemory: cap }) });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.match(report.stdout.text, /^allocated \d+ MiB before running out\n$/);
    assert.ok(report.peakMemoryBytes <= cap, `${report.peakMemoryBytes} <= ${cap}`);
    assert.ok(report.alerts.some((a) => a.kind === 'memory'));
  });

  describe('HTTP handlers', () => {
    let server: http.Server;
    let port: number;
    before(async () => {
      server = http.createServer((req, res) => res.end(`served ${req.url}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    it('answers GET / and echoes a POST body', async () => {
      const report = await run({
        file: component('handler'),
        policy: policy(),
        httpRequests: [
          { method: 'GET', path: '/', headers: {}, body: '' },
          { method: 'POST', path: '/echo', headers: { 'content-type': 'text/plain' }, body: 'ping pong' },
          { method: 'GET', path: '/nope', headers: {}, body: '' },
        ],
      });
      assert.deepEqual(report.outcome, { kind: 'exit', code: 0 });
      assert.equal(report.component?.world, 'http-proxy');
      assert.deepEqual(
        report.http?.map((x) => [x.direction, x.method, x.url, x.response?.status, x.response?.body]),
        [
          ['incoming', 'GET', '/', 200, 'hello from the handler\n'],
          ['incoming', 'POST', '/echo', 200, 'ping pong'],
          ['incoming', 'GET', '/nope', 404, 'not found\n'],
        ],
      );
      assert.deepEqual(report.http?.[0].response?.headers, [['content-type', 'text/plain']]);
      assert.equal(report.hostCalls['wasi:http/types#[static]response-outparam.set'], 3);
      // Constructors the component calls are counted; the host's own are not.
      assert.equal(report.hostCalls['wasi:http/types#[constructor]fields'], 3);
      assert.equal(report.hostCalls['wasi:http/types#[constructor]outgoing-response'], 3);
    });

    it('sends the policy default GET / when no request is given', async () => {
      const report = await run({ file: component('handler'), policy: policy() });
      assert.deepEqual(
        report.http?.map((x) => [x.url, x.response?.status]),
        [['/', 200]],
      );
    });

    it('fetches an allowed URL, denies another with HTTP-request-denied, and answers mocked ones', async () => {
      const report = await run({
        file: component('handler'),
        policy: policy({
          network: { allow: [`127.0.0.1:${port}`] },
          http: {
            requests: [],
            mock: { 'http://api.example:80/items': { status: 201, headers: {}, body: 'canned' } },
          },
        }),
        networkConfirmed: true,
        httpRequests: [
          { method: 'GET', path: `/fetch/127.0.0.1:${port}/data`, headers: {}, body: '' },
          { method: 'GET', path: `/fetch/127.0.0.1:${port + 1}/secret`, headers: {}, body: '' },
          { method: 'GET', path: '/fetch/api.example:80/items', headers: {}, body: '' },
        ],
      });
      assert.deepEqual(report.outcome, { kind: 'exit', code: 0 });
      assert.deepEqual(
        report.http?.map((x) => [x.direction, x.url, x.response?.status, x.response?.body, x.answeredBy]),
        [
          ['incoming', `/fetch/127.0.0.1:${port}/data`, 200, 'status 200: served /data', undefined],
          ['outgoing', `http://127.0.0.1:${port}/data`, 200, 'served /data', 'network'],
          // error 3: HTTP-request-denied in the fixture's error-code.
          ['incoming', `/fetch/127.0.0.1:${port + 1}/secret`, 502, 'error 3\n', undefined],
          ['outgoing', `http://127.0.0.1:${port + 1}/secret`, undefined, undefined, 'denied'],
          ['incoming', '/fetch/api.example:80/items', 200, 'status 201: canned', undefined],
          ['outgoing', 'http://api.example:80/items', 201, 'canned', 'mock'],
        ],
      );
      assert.deepEqual(
        report.violations.map((v) => [v.call, v.args.endpoint, v.reason]),
        [
          [
            'wasi:http/outgoing-handler#handle',
            `127.0.0.1:${port + 1}`,
            `127.0.0.1:${port + 1} is not in sandbox.network.allow`,
          ],
        ],
      );
    });

    it('keeps an allowed endpoint off the network until the run is confirmed', async () => {
      const report = await run({
        file: component('handler'),
        policy: policy({ network: { allow: [`127.0.0.1:${port}`] } }),
        httpRequests: [{ method: 'GET', path: `/fetch/127.0.0.1:${port}/data`, headers: {}, body: '' }],
      });
      assert.equal(report.http?.[0].response?.body, 'error 3\n');
      assert.match(report.violations[0]?.reason ?? '', /not confirmed/);
    });
  });
});

describe('sandbox: the WASI 0.2 host', () => {
  const context = (allow: string[]): HostContext & { seen: string[] } => {
    const seen: string[] = [];
    return {
      policy: { ...DEFAULT_SANDBOX_POLICY, network: { allow } },
      args: ['x'],
      stdout: () => undefined,
      stderr: () => undefined,
      violation: (v) => seen.push(`${v.call} ${JSON.stringify(v.args)}: ${v.reason}`),
      networkConfirmed: true,
      exchanges: [],
      notes: [],
      seen,
    };
  };

  it('matches host:port patterns of sandbox.network.allow', () => {
    assert.ok(endpointAllowed(['api.example.com:443'], 'api.example.com', 443));
    assert.ok(!endpointAllowed(['api.example.com:443'], 'api.example.com', 80));
    assert.ok(endpointAllowed(['*.example.com:*'], 'a.example.com', 8080));
    assert.ok(!endpointAllowed(['*.example.com:*'], 'a.b.example.com', 8080));
    assert.ok(!endpointAllowed(['*.example.com:*'], 'example.com.evil.net', 80));
    assert.ok(endpointAllowed(['[::1]:8080'], '[::1]', 8080));
    assert.ok(hostAllowed(['db.internal:5432'], 'db.internal'));
    assert.ok(!hostAllowed(['db.internal:5432'], 'evil.internal'));
  });

  it('denies sockets and DNS lookups outside the allow list with access-denied, naming the endpoint', () => {
    const ctx = context(['10.0.0.1:5432']);
    const sockets = socketInterfaces(ctx);
    const create = sockets['wasi:sockets/tcp-create-socket'].functions!.createTcpSocket;
    const socket = create('ipv4') as { startConnect(n: unknown, a: unknown): unknown };
    assert.throws(
      () => socket.startConnect({}, { tag: 'ipv4', val: { port: 22, address: [192, 168, 1, 1] } }),
      (e: unknown) => e instanceof WitError && e.payload === 'access-denied',
    );
    const resolve = sockets['wasi:sockets/ip-name-lookup'].functions!.resolveAddresses;
    assert.throws(
      () => resolve({}, 'evil.example'),
      (e: unknown) => e instanceof WitError && e.payload === 'access-denied',
    );
    assert.deepEqual(ctx.seen, [
      'wasi:sockets/tcp#[method]tcp-socket.start-connect {"endpoint":"192.168.1.1:22"}: 192.168.1.1:22 is not in sandbox.network.allow',
      'wasi:sockets/ip-name-lookup#resolve-addresses {"endpoint":"evil.example"}: DNS lookups are allowed only for names in sandbox.network.allow; evil.example is not',
    ]);
  });

  it('keeps an allowed endpoint off the network until the run is confirmed, and checks arguments first', () => {
    const ctx = { ...context(['10.0.0.1:5432', 'db.internal:5432']), networkConfirmed: false };
    const sockets = socketInterfaces(ctx);
    const create = sockets['wasi:sockets/tcp-create-socket'].functions!.createTcpSocket;
    const socket = create('ipv4') as {
      startConnect(n: unknown, a: unknown): unknown;
      finishConnect(): unknown;
    };
    assert.equal(
      witErrorOf(() => socket.startConnect({}, { tag: 'ipv4', val: { port: 5432, address: [10, 0, 0, 1] } })),
      'access-denied',
    );
    const resolve = sockets['wasi:sockets/ip-name-lookup'].functions!.resolveAddresses;
    assert.equal(
      witErrorOf(() => resolve({}, 'db.internal')),
      'access-denied',
    );
    assert.deepEqual(ctx.seen, [
      'wasi:sockets/tcp#[method]tcp-socket.start-connect {"endpoint":"10.0.0.1:5432"}: 10.0.0.1:5432 is allowed by sandbox.network.allow, but the run was not confirmed for network access',
      'wasi:sockets/ip-name-lookup#resolve-addresses {"endpoint":"db.internal"}: looking up db.internal is allowed by sandbox.network.allow, but the run was not confirmed for network access',
    ]);
    // The spec's argument errors come before the policy: no violation for these.
    const v6 = create('ipv6') as typeof socket;
    assert.equal(
      witErrorOf(() => v6.startConnect({}, { tag: 'ipv4', val: { port: 5432, address: [10, 0, 0, 1] } })),
      'invalid-argument',
    );
    assert.equal(
      witErrorOf(() =>
        (create('ipv4') as typeof socket).startConnect(
          {},
          { tag: 'ipv4', val: { port: 0, address: [10, 0, 0, 1] } },
        ),
      ),
      'invalid-argument',
    );
    assert.equal(
      witErrorOf(() => socket.finishConnect()),
      'not-in-progress',
    );
    // An address needs no lookup (and so no permission): it is handed back as it is.
    const stream = resolve({}, '::ffff:10.0.0.1') as { resolveNextAddress(): unknown };
    assert.deepEqual(stream.resolveNextAddress(), {
      tag: 'ipv6',
      val: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001],
    });
    assert.equal(stream.resolveNextAddress(), undefined);
    assert.equal(ctx.seen.length, 2);
  });

  it('tells a component that imports an interface the host lacks, before running it', async () => {
    const result = await runComponent(
      {
        js: 'throw new Error("must not be loaded")',
        coreModules: {},
        imports: ['wasi:cli/environment', 'wasi:keyvalue/store'],
        exports: ['wasi:cli/run@0.2.0'],
        requests: [],
        mock: {},
        networkConfirmed: false,
      },
      await loadShim(),
      context([]),
      { onCall: () => undefined, memories: [], writeBack: false },
    );
    assert.deepEqual(result.outcome, {
      kind: 'error',
      message:
        'the component imports wasi:keyvalue/store, which the sandbox does not provide; it was not run',
    });
    assert.deepEqual(result.missingImports, ['wasi:keyvalue/store']);
  });

  it("loads jco's glue as a script, and glue of another shape through the module loader", async () => {
    // Where the function was compiled shows in its stack: the script is named component.js.
    const body = 'return { strict: this === undefined, at: new Error().stack.split("\\n")[1] }; }';
    const glue = `export function instantiate() { ${body}\nexport const _util = {};`;
    const fromScript = (await loadGlue(glue)) as unknown as () => { strict: boolean; at: string };
    assert.equal(fromScript().strict, true);
    assert.match(fromScript().at, /component\.js/);
    const other = `import "node:path";\nexport function instantiate() { ${body}`;
    const fromModule = (await loadGlue(other)) as unknown as () => { strict: boolean; at: string };
    assert.equal(fromModule().strict, true);
    assert.match(fromModule().at, /data:text\/javascript/);
  });

  it('keys the transpile cache by the bindgen version installed', () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules/@bytecodealliance/jco-transpile/package.json'), 'utf8'),
    ) as { version: string };
    assert.equal(BINDGEN_VERSION, `jco-transpile-${pkg.version}`);
  });
});
