import * as assert from 'node:assert/strict';
import { withCustomSection } from '../../support/wasmBytes';
import { wat2wasm } from './helpers';
import { ruleTester, type ExpectedFinding } from './ruleTester';
import { dataModule, dataSegmentsModule, dataSegmentsWat, nameBytes, spanOf } from './dataModules';

const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAQCmq\n-----END RSA PRIVATE KEY-----';

const POOL = 'stratum+tcp://xmr.pool.example:3333';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const GITHUB = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

/** A URL finding off the allow list (info). */
const url = (shown: string, host: string, where: number[], label = 'data segment 0'): ExpectedFinding => ({
  severity: 'info',
  message: `URL "${shown}" in ${label}: host "${host}" is not on the sandbox network allow list.`,
  where,
});

const pool = (shown: string, where: number[]): ExpectedFinding => ({
  severity: 'error',
  message: `Mining pool address "${shown}" in data segment 0: this module is likely a cryptocurrency miner.`,
  where,
});

const ENDPOINTS =
  'GET https://api.example.com/v1 then https://tracker.example.net/p?q=1 and https://tracker.example.net/again at 203.0.113.7:8080\0';

// Go packs its string constants back to back, sorted by length; these are esbuild-wasm's own.
const GO_PACKED =
  'ed25519: bad signature length: https://github.com/evanw/esbuildsync: negative WaitGroup counter' +
  'testing simulated failure: https://esbuild.io/integer overflow on token ' +
  'scalar has high bit set illegallyhttps://esbuild.github.io/analyze/Failed to write to output file: %s' +
  'and bundling here: https://esbuild.github.io/link/direct-evalRemoving the ' +
  'this setting here: https://www.typescriptlang.org/tsconfig#esModuleInteropThis regular e' +
  'bad random data (see https://go.dev/issue/66821): ^([0-9]+)';

/** 600 bytes from a fixed linear congruential sequence: base64 of them has high entropy. */
function pseudoRandom(): Buffer {
  let seed = 7;
  return Buffer.from(
    Uint8Array.from({ length: 600 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24),
  );
}
const BLOB = pseudoRandom().toString('base64');
const EMBEDDED_WASM = Buffer.concat([
  Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  pseudoRandom(),
]).toString('base64');

const HOSTS = Array.from({ length: 60 }, (_, i) => `https://h${i}.example.com/`);
/** Where each host's URL starts: the joined list's contents start at 24 (two size bytes). */
const HOST_AT = HOSTS.map((_, i) => 24 + HOSTS.slice(0, i).reduce((sum, h) => sum + h.length + 1, 0));

// A one-segment module from `dataModule` has the segment's contents at byte 22 while its data
// section is under 128 bytes; the section's size takes a second byte past that (23), and the
// segment's own size another from 128 bytes of contents (24). Spans are the bytes found.
ruleTester('suspicious-data', {
  valid: [
    {
      name: 'a bare PEM header that a parser needs',
      wat: dataModule('-----BEGIN PRIVATE KEY-----\0-----END PRIVATE KEY-----\0'),
    },
    {
      name: "dictionary fragments are not URLs (Brotli's built-in dictionary false alarm)",
      wat: dataModule(
        'http://www.yearshttp://navigationhttps://wasfamiliarhttp://html4/loose.dtdhttp://www.C//DTD\0',
      ),
    },
    {
      name: 'versions, loopback and any-address are not IP addresses',
      wat: dataModule('version 1.2.3.4 v10.20.30.40 listen 0.0.0.0 127.0.0.1 255.255.255.255 1.2.3.4.5\0'),
    },
    {
      name: 'the metadata sections other rules own are not read (sourceMappingURL)',
      bytes: async () =>
        withCustomSection(
          await wat2wasm('(module)'),
          'sourceMappingURL',
          nameBytes('https://cdn.example.com/app.wasm.map'),
        ),
    },
    {
      name: 'turned off by the policy',
      wat: dataModule(`${POOL}\0`),
      policy: { rules: { 'suspicious-data': 'off' } },
    },
  ],
  invalid: [
    {
      name: 'a mining pool address, at its exact bytes',
      wat: dataModule(`pool=${POOL}\0`),
      findings: [pool(POOL, [22 + 5, POOL.length])],
    },
    {
      name: 'a PEM private key with key material',
      wat: dataModule(`${PEM}\0`),
      findings: [
        {
          severity: 'error',
          message:
            'A private key (-----BEGIN RSA PRIVATE KEY-----) is embedded in data segment 0: anyone with the module has the key.',
          // The header and the key material, up to the END line.
          where: [24, PEM.indexOf('-----END')],
        },
      ],
    },
    {
      name: 'cloud credentials, masked in the message',
      wat: dataModule(`key=${AWS};token=${GITHUB}\0`),
      findings: [
        {
          severity: 'error',
          message:
            'What looks like an AWS access key id (AKIA…LE) is embedded in data segment 0: revoke it and load it at run time instead.',
          where: [22 + 4, AWS.length],
        },
        {
          severity: 'error',
          message:
            'What looks like a GitHub token (ghp_…R8) is embedded in data segment 0: revoke it and load it at run time instead.',
          where: [22 + 31, GITHUB.length],
        },
      ],
    },
    {
      name: 'URLs and IP addresses off the sandbox allow list, once per host',
      wat: dataModule(ENDPOINTS),
      policy: { sandbox: { network: { allow: ['api.example.com:443'] } }, imports: { otherwise: 'allow' } },
      findings: [
        url('https://tracker.example.net/p?q=1', 'tracker.example.net', [60, 33]),
        {
          severity: 'info',
          message: 'IP address 203.0.113.7:8080 in data segment 0 is not on the sandbox network allow list.',
          where: [135, 16],
        },
      ],
    },
    {
      name: 'without an allow list entry the first host is reported too',
      wat: dataModule(ENDPOINTS),
      findings: [
        url('https://api.example.com/v1', 'api.example.com', [24 + 4, 26]),
        url('https://tracker.example.net/p?q=1', 'tracker.example.net', [60, 33]),
        {
          severity: 'info',
          message: 'IP address 203.0.113.7:8080 in data segment 0 is not on the sandbox network allow list.',
          where: [135, 16],
        },
      ],
    },
    {
      // A URL glued to the end of the string before it ("failurehttps://") is not taken for one.
      name: "URLs end where Go's packed strings start the next one (esbuild-wasm's data)",
      wat: `(module (import "gojs" "runtime.wasmExit" (func (param i32))) ${dataSegmentsWat([GO_PACKED]).slice('(module '.length)}`,
      policy: { imports: { otherwise: 'allow' } },
      findings: [
        url('https://github.com/evanw/esbuild', 'github.com', [89, 32]),
        url('https://esbuild.io/', 'esbuild.io', [180, 19]),
        url('https://esbuild.github.io/link/direct-eval', 'esbuild.github.io', [345, 42]),
        url('https://www.typescriptlang.org/tsconfig#esModuleInterop', 'www.typescriptlang.org', [419, 55]),
        url('https://go.dev/issue/66821', 'go.dev', [509, 26]),
      ],
    },
    {
      name: 'punctuation after a URL is left out, and the words of a URL that is not packed Go data kept',
      wat: dataModule(
        'see https://docs.example.com/GettingStarted for more, or (https://help.example.org/faq). Mail https://x.example.net/a:\0',
      ),
      findings: [
        url('https://docs.example.com/GettingStarted', 'docs.example.com', [22 + 4, 39]),
        url('https://help.example.org/faq', 'help.example.org', [80, 28]),
        url('https://x.example.net/a', 'x.example.net', [116, 23]),
      ],
    },
    {
      name: 'long high-entropy base64, and an embedded wasm module as a warning (not a run of one letter)',
      wat: dataModule(`${BLOB}\0${EMBEDDED_WASM}\0${'A'.repeat(800)}\0`),
      findings: [
        {
          severity: 'info',
          message:
            'A base64 blob of 800 characters with high entropy in data segment 0: an encoded payload or key material?',
          where: [24, BLOB.length],
        },
        {
          severity: 'warning',
          message: `A base64-encoded WebAssembly module (${EMBEDDED_WASM.length} characters) is embedded in data segment 0: a second stage that this check cannot see into.`,
          where: [24 + BLOB.length + 1, EMBEDDED_WASM.length],
        },
      ],
    },
    {
      name: 'custom sections are read, but not the metadata ones other rules own',
      bytes: async () =>
        withCustomSection(
          withCustomSection(
            await wat2wasm('(module)'),
            'config',
            Buffer.from('endpoint=wss://c2.example.org/ws'),
          ),
          'sourceMappingURL',
          nameBytes('https://cdn.example.com/app.wasm.map'),
        ),
      findings: [url('wss://c2.example.org/ws', 'c2.example.org', [36, 23], 'custom section "config"')],
    },
    {
      name: 'in a text data string, escapes included',
      text: '(module\n  (memory 1)\n  (data (i32.const 0) "id\\00stratum+tcp://p.example:1\\00"))',
      findings: [pool('stratum+tcp://p.example:1', [2, 28, 2, 53])],
    },
    {
      name: 'the list stops at 50 findings and says how many more there are',
      wat: dataModule(HOSTS.join(' ')),
      findings: [
        ...HOSTS.slice(0, 50).map((shown, i) => url(shown, `h${i}.example.com`, [HOST_AT[i], shown.length])),
        // The summary is on the whole module.
        {
          severity: 'info',
          message: '10 more suspicious strings in this module are not listed.',
          where: [0, 1523],
        },
      ],
    },
    // What fills the data from its first byte to its last (lookbehinds at the very start).
    {
      name: 'a pool address filling the data',
      wat: dataModule(POOL),
      findings: [pool(POOL, [22, POOL.length])],
    },
    {
      name: 'a URL filling the data',
      wat: dataModule('https://a.example.com/x'),
      findings: [url('https://a.example.com/x', 'a.example.com', [22, 23])],
    },
    {
      name: 'a WebSocket URL filling the data',
      wat: dataModule('ws://b.example.org'),
      findings: [url('ws://b.example.org', 'b.example.org', [22, 18])],
    },
    {
      name: 'an AWS key filling the data',
      wat: dataModule(AWS),
      findings: [
        {
          severity: 'error',
          message:
            'What looks like an AWS access key id (AKIA…LE) is embedded in data segment 0: revoke it and load it at run time instead.',
          where: [22, 20],
        },
      ],
    },
    {
      name: "a URL that opens a segment whose size byte reads as a letter (100 bytes: 'd')",
      bytes: async () => {
        const bytes = await dataSegmentsModule(['x', 'https://evil.example.net/collect'.padEnd(100, ' ')]);
        assert.equal(bytes[spanOf(bytes, 'https://evil')[0] - 1], 'd'.charCodeAt(0));
        return bytes;
      },
      findings: [url('https://evil.example.net/collect', 'evil.example.net', [28, 32], 'data segment 1')],
    },
    {
      name: 'a match right after an anchor that starts none',
      wat: dataModule(`xhttps://no.example.com KIA AKIAx ${AWS} https://yes.example.com`),
      findings: [
        {
          severity: 'error',
          message:
            'What looks like an AWS access key id (AKIA…LE) is embedded in data segment 0: revoke it and load it at run time instead.',
          where: [22 + 34, AWS.length],
        },
        url('https://yes.example.com', 'yes.example.com', [77, 23]),
      ],
    },
  ],
});
