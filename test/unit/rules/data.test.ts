import * as assert from 'node:assert/strict';
import type { ModuleAnalysis } from '../../../server/src/core/analyze';
import { encodeVarUint32 } from '../../../server/src/core/module/byteReader';
import { checkBytes, checkText, ofRule, policyFrom, wat2wasm, where } from './helpers';

const leb = (n: number): number[] => [...encodeVarUint32(n)];

const str = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];

/** Appends a custom section (id 0) to a binary module. */
function withCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array | number[]): Uint8Array {
  const body = [...str(name), ...payload];
  return Uint8Array.from([...bytes, 0, ...leb(body.length), ...body]);
}

/** A module whose data segments hold `contents`, one after the other. */
async function dataSegmentsModule(contents: string[]): Promise<Uint8Array> {
  const segments = contents.map((content) => {
    const escaped = [...Buffer.from(content, 'latin1')]
      .map((b) => `\\${b.toString(16).padStart(2, '0')}`)
      .join('');
    return `(data (i32.const 16) "${escaped}")`;
  });
  return wat2wasm(`(module (memory 1 1) ${segments.join(' ')})`);
}

/** A module whose one data segment holds `content`. */
const dataModule = (content: string) => dataSegmentsModule([content]);

/** Where `needle` is in the file: the exact byte span a finding should have. */
function spanOf(bytes: Uint8Array, needle: string, from = 0): number[] {
  const offset = Buffer.from(bytes).indexOf(Buffer.from(needle, 'latin1'), from);
  assert.ok(offset >= 0, `${needle} not in module`);
  return [offset, Buffer.byteLength(needle, 'latin1')];
}

const summary = (a: ModuleAnalysis, rule = 'suspicious-data') =>
  ofRule(a, rule).map((f) => [f.severity, f.message, where(f)]);

const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAQCmq\n-----END RSA PRIVATE KEY-----';

describe('rules: suspicious-data', () => {
  it('flags a mining pool address at its exact bytes', async () => {
    const needle = 'stratum+tcp://xmr.pool.example:3333';
    const bytes = await dataModule(`pool=${needle}\0`);
    assert.deepEqual(summary(await checkBytes(bytes)), [
      [
        'error',
        `Mining pool address "${needle}" in data segment 0: this module is likely a cryptocurrency miner.`,
        spanOf(bytes, needle),
      ],
    ]);
  });

  it('flags a PEM private key with key material, not a bare PEM header a parser needs', async () => {
    const bytes = await dataModule(`${PEM}\0`);
    const [finding] = ofRule(await checkBytes(bytes), 'suspicious-data');
    assert.equal(finding.severity, 'error');
    assert.equal(
      finding.message,
      'A private key (-----BEGIN RSA PRIVATE KEY-----) is embedded in data segment 0: anyone with the module has the key.',
    );
    assert.deepEqual(where(finding).slice(0, 1), spanOf(bytes, '-----BEGIN').slice(0, 1));
    const parserOnly = await dataModule('-----BEGIN PRIVATE KEY-----\0-----END PRIVATE KEY-----\0');
    assert.deepEqual(summary(await checkBytes(parserOnly)), []);
  });

  it('flags cloud credentials and masks them in the message', async () => {
    const aws = 'AKIAIOSFODNN7EXAMPLE';
    const gh = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const bytes = await dataModule(`key=${aws};token=${gh}\0`);
    assert.deepEqual(summary(await checkBytes(bytes)), [
      [
        'error',
        'What looks like an AWS access key id (AKIA…LE) is embedded in data segment 0: revoke it and load it at run time instead.',
        spanOf(bytes, aws),
      ],
      [
        'error',
        'What looks like a GitHub token (ghp_…R8) is embedded in data segment 0: revoke it and load it at run time instead.',
        spanOf(bytes, gh),
      ],
    ]);
  });

  it('reports URLs and IP addresses off the sandbox allow list, once per host', async () => {
    const bytes = await dataModule(
      'GET https://api.example.com/v1 then https://tracker.example.net/p?q=1 and https://tracker.example.net/again at 203.0.113.7:8080\0',
    );
    const policy = policyFrom({
      sandbox: { network: { allow: ['api.example.com:443'] } },
      imports: { otherwise: 'allow' },
    });
    assert.deepEqual(summary(await checkBytes(bytes, { policy })), [
      [
        'info',
        'URL "https://tracker.example.net/p?q=1" in data segment 0: host "tracker.example.net" is not on the sandbox network allow list.',
        spanOf(bytes, 'https://tracker.example.net/p?q=1'),
      ],
      [
        'info',
        'IP address 203.0.113.7:8080 in data segment 0 is not on the sandbox network allow list.',
        spanOf(bytes, '203.0.113.7:8080'),
      ],
    ]);
    // Without the allow list entry the first host is reported too.
    assert.equal(ofRule(await checkBytes(bytes), 'suspicious-data').length, 3);
  });

  it("ends a URL where Go's packed strings start the next one (esbuild-wasm's data)", async () => {
    // Go packs its string constants back to back, sorted by length; these are esbuild-wasm's own.
    const packed =
      'ed25519: bad signature length: https://github.com/evanw/esbuildsync: negative WaitGroup counter' +
      'testing simulated failure: https://esbuild.io/integer overflow on token ' +
      'scalar has high bit set illegallyhttps://esbuild.github.io/analyze/Failed to write to output file: %s' +
      'and bundling here: https://esbuild.github.io/link/direct-evalRemoving the ' +
      'this setting here: https://www.typescriptlang.org/tsconfig#esModuleInteropThis regular e' +
      'bad random data (see https://go.dev/issue/66821): ^([0-9]+)';
    const escaped = [...Buffer.from(packed, 'latin1')]
      .map((b) => `\\${b.toString(16).padStart(2, '0')}`)
      .join('');
    const go = await wat2wasm(
      `(module (import "gojs" "runtime.wasmExit" (func (param i32))) (memory 1 1) (data (i32.const 16) "${escaped}"))`,
    );
    const policy = policyFrom({ imports: { otherwise: 'allow' } });
    const urls = ofRule(await checkBytes(go, { policy }), 'suspicious-data').map(
      (f) => /URL "([^"]*)"/.exec(f.message)?.[1],
    );
    // (A URL glued to the end of the string before it, "failurehttps://", is not taken for one.)
    assert.deepEqual(urls, [
      'https://github.com/evanw/esbuild',
      'https://esbuild.io/',
      'https://esbuild.github.io/link/direct-eval',
      'https://www.typescriptlang.org/tsconfig#esModuleInterop',
      'https://go.dev/issue/66821',
    ]);
    // Each finding's span is the URL alone.
    const first = ofRule(await checkBytes(go, { policy }), 'suspicious-data')[0];
    assert.deepEqual(where(first), spanOf(go, 'https://github.com/evanw/esbuild'));
  });

  it('leaves punctuation after a URL out, and keeps the words of a URL that is not packed Go data', async () => {
    const bytes = await dataModule(
      'see https://docs.example.com/GettingStarted for more, or (https://help.example.org/faq). Mail https://x.example.net/a:\0',
    );
    const urls = ofRule(await checkBytes(bytes), 'suspicious-data').map(
      (f) => /URL "([^"]*)"/.exec(f.message)?.[1],
    );
    assert.deepEqual(urls, [
      'https://docs.example.com/GettingStarted',
      'https://help.example.org/faq',
      'https://x.example.net/a',
    ]);
  });

  it("does not take dictionary fragments for URLs (Brotli's built-in dictionary false alarm)", async () => {
    const bytes = await dataModule(
      'http://www.yearshttp://navigationhttps://wasfamiliarhttp://html4/loose.dtdhttp://www.C//DTD\0',
    );
    assert.deepEqual(summary(await checkBytes(bytes)), []);
  });

  it('does not mistake versions, loopback or any-address for IP addresses', async () => {
    const bytes = await dataModule(
      'version 1.2.3.4 v10.20.30.40 listen 0.0.0.0 127.0.0.1 255.255.255.255 1.2.3.4.5\0',
    );
    assert.deepEqual(summary(await checkBytes(bytes)), []);
  });

  it('flags long high-entropy base64, and an embedded wasm module as a warning', async () => {
    let seed = 7;
    const random = Buffer.from(
      Uint8Array.from({ length: 600 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24),
    );
    const blob = random.toString('base64');
    const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), random]).toString('base64');
    const bytes = await dataModule(`${blob}\0${wasm}\0${'A'.repeat(800)}\0`);
    assert.deepEqual(summary(await checkBytes(bytes)), [
      [
        'info',
        'A base64 blob of 800 characters with high entropy in data segment 0: an encoded payload or key material?',
        spanOf(bytes, blob),
      ],
      [
        'warning',
        `A base64-encoded WebAssembly module (${wasm.length} characters) is embedded in data segment 0: a second stage that this check cannot see into.`,
        spanOf(bytes, wasm),
      ],
    ]);
  });

  it('reads custom sections but not the metadata ones other rules own', async () => {
    const base = await wat2wasm('(module)');
    const bytes = withCustomSection(
      withCustomSection(base, 'config', Buffer.from('endpoint=wss://c2.example.org/ws')),
      'sourceMappingURL',
      str('https://cdn.example.com/app.wasm.map'),
    );
    assert.deepEqual(summary(await checkBytes(bytes)), [
      [
        'info',
        'URL "wss://c2.example.org/ws" in custom section "config": host "c2.example.org" is not on the sandbox network allow list.',
        spanOf(bytes, 'wss://c2.example.org/ws'),
      ],
    ]);
  });

  it('locates findings in a text data string, escapes included', async () => {
    const text = '(module\n  (memory 1)\n  (data (i32.const 0) "id\\00stratum+tcp://p.example:1\\00"))';
    const [finding] = ofRule(await checkText(text), 'suspicious-data');
    assert.equal(
      finding.message,
      'Mining pool address "stratum+tcp://p.example:1" in data segment 0: this module is likely a cryptocurrency miner.',
    );
    assert.deepEqual(where(finding), [2, 28, 2, 53]);
  });

  it('caps the list at 50 findings and says how many more there are', async () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `https://h${i}.example.com/`).join(' ');
    const findings = ofRule(await checkBytes(await dataModule(hosts)), 'suspicious-data');
    assert.equal(findings.length, 51);
    assert.equal(findings[50].message, '10 more suspicious strings in this module are not listed.');
  });

  it('can be turned off', async () => {
    const bytes = await dataModule('stratum+tcp://x.example:1');
    assert.deepEqual(
      ofRule(await checkBytes(bytes, { overrides: { 'suspicious-data': 'off' } }), 'suspicious-data'),
      [],
    );
  });
});

describe('rules: suspicious-data and debug-info at the edges of the data', () => {
  it('finds what fills the data from its first byte to its last (lookbehinds at the very start)', async () => {
    const cases: Array<[string, string]> = [
      ['stratum+tcp://p.example:1', 'suspicious-data'],
      ['https://a.example.com/x', 'suspicious-data'],
      ['ws://b.example.org', 'suspicious-data'],
      ['AKIAIOSFODNN7EXAMPLE', 'suspicious-data'],
      ['C:\\Users\\dave\\src\\x.c', 'debug-info'],
      ['/home/alice/x.rs', 'debug-info'],
    ];
    for (const [needle, rule] of cases) {
      const bytes = await dataModule(needle);
      const found = ofRule(await checkBytes(bytes), rule);
      assert.deepEqual(
        found.map((f) => where(f)),
        [spanOf(bytes, needle)],
        needle,
      );
    }
  });

  it("finds a URL that opens a segment whose size byte reads as a letter (100 bytes: 'd')", async () => {
    const url = 'https://evil.example.net/collect';
    const bytes = await dataSegmentsModule(['x', url.padEnd(100, ' ')]);
    assert.equal(bytes[spanOf(bytes, url)[0] - 1], 'd'.charCodeAt(0));
    assert.deepEqual(
      summary(await checkBytes(bytes)).map(([, message, span]) => [message, span]),
      [
        [
          `URL "${url}" in data segment 1: host "evil.example.net" is not on the sandbox network allow list.`,
          spanOf(bytes, url),
        ],
      ],
    );
  });

  it('finds a match right after an anchor that starts none', async () => {
    const bytes = await dataModule(
      'xhttps://no.example.com KIA AKIAx AKIAIOSFODNN7EXAMPLE https://yes.example.com',
    );
    assert.deepEqual(
      summary(await checkBytes(bytes)).map(([, , span]) => span),
      [spanOf(bytes, 'AKIAIOSFODNN7EXAMPLE'), spanOf(bytes, 'https://yes.example.com')],
    );
  });

  it('finds a real path after a segment whose size byte would make a path start in its header', async () => {
    // A 47-byte segment's size byte is "/": with "home/…" after it, the header would begin a match.
    const path = '/home/alice/src/main.rs';
    const bytes = await dataSegmentsModule(['x', 'home/bob/'.padEnd(47, '.'), `\0${path}\0`]);
    assert.equal(bytes[spanOf(bytes, 'home/bob/')[0] - 1], '/'.charCodeAt(0));
    assert.deepEqual(summary(await checkBytes(bytes), 'debug-info'), [
      ['info', `Data segment 2 contains a home-directory build path (${path}).`, spanOf(bytes, path)],
    ]);
  });

  it('reads every segment, not a path cut in two by a segment header', async () => {
    const path = 'C:\\Users\\eve\\y\\z.c';
    const bytes = await dataSegmentsModule(['x /home/al', 'ice/x.rs', `\0${path}\0`]);
    assert.deepEqual(summary(await checkBytes(bytes), 'debug-info'), [
      ['info', `Data segment 2 contains a home-directory build path (${path}).`, spanOf(bytes, path)],
    ]);
  });
});
