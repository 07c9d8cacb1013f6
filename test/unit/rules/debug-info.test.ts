import * as assert from 'node:assert/strict';
import { withCustomSection } from '../../support/wasmBytes';
import { dataModule, dataSegmentsModule, dataSegmentsWat, nameBytes, spanOf } from './dataModules';
import { wat2wasm } from './helpers';
import { ruleTester } from './ruleTester';

const str = (s: string) => [...nameBytes(s)];

const RUST_PATH = '/home/carol/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.0/src/de.rs';
const WINDOWS_PATH = 'C:\\Users\\dave\\src\\x.c';

// wabt writes `(module)` in 18 bytes, so a section appended to it starts at byte 18; a finding on a
// section spans all of it, a finding in data the bytes of what it found.
ruleTester('debug-info', {
  valid: [
    {
      name: 'a stripped module, whose data holds a toolchain path (not a home directory)',
      wat: '(module (memory 1 1) (data (i32.const 0) "/rustc/abc/library/core/src/panicking.rs"))',
    },
    {
      name: 'turned off by the policy',
      wat: '(module (func $f))',
      policy: { rules: { 'debug-info': 'off' } },
    },
  ],
  invalid: [
    {
      name: 'DWARF sections with their size and a home-directory path from them',
      bytes: async () =>
        withCustomSection(
          withCustomSection(await wat2wasm('(module)'), '.debug_info', Uint8Array.of(1, 2, 3, 4)),
          '.debug_str',
          Buffer.from('/home/alice/src/app.c\0clang\0'),
        ),
      findings: [
        {
          severity: 'info',
          message:
            'DWARF debug information (.debug_info, .debug_str; 32 bytes) ships with the module, including build paths such as /home/alice/src/app.c.',
          where: [18, 18],
        },
      ],
    },
    {
      name: 'the name section, a source map URL and producers with versions',
      bytes: async () =>
        withCustomSection(
          withCustomSection(
            await wat2wasm('(module (func $main) (func $helper))'),
            'sourceMappingURL',
            Uint8Array.from(str('file:///home/bob/app.wasm.map')),
          ),
          'producers',
          Uint8Array.from([
            1,
            ...str('processed-by'),
            2,
            ...str('clang'),
            ...str('17.0.6'),
            ...str('wasm-opt'),
            ...str('116'),
          ]),
        ),
      findings: [
        {
          severity: 'info',
          message: 'The "name" section names 2 functions, which shows the source\'s symbols to anyone.',
          where: [28, 31],
        },
        {
          severity: 'info',
          message: 'Section "sourceMappingURL" points to "file:///home/bob/app.wasm.map".',
          where: [59, 49],
        },
        {
          severity: 'info',
          message: 'The "producers" section records the toolchain: clang 17.0.6; wasm-opt 116.',
          where: [108, 53],
        },
      ],
    },
    {
      // The segment's contents start at byte 23; the path follows 22 bytes of panic message.
      name: 'a home-directory build path left in a data segment (Rust panics carry them), at its bytes',
      wat: dataModule(`called unwrap on None\0${RUST_PATH}\0/home/carol/x.rs\0`),
      findings: [
        {
          severity: 'info',
          message: `Data segment 0 contains a home-directory build path (${RUST_PATH.slice(0, 79)}…) and 1 more.`,
          where: [23 + 22, RUST_PATH.length],
        },
      ],
    },
    // What fills the data from its first byte to its last (lookbehinds at the very start).
    {
      name: 'a Windows home-directory path filling the data',
      wat: dataModule(WINDOWS_PATH),
      findings: [
        {
          severity: 'info',
          message: `Data segment 0 contains a home-directory build path (${WINDOWS_PATH}).`,
          where: [22, WINDOWS_PATH.length],
        },
      ],
    },
    {
      name: 'a Unix home-directory path filling the data',
      wat: dataModule('/home/alice/x.rs'),
      findings: [
        {
          severity: 'info',
          message: 'Data segment 0 contains a home-directory build path (/home/alice/x.rs).',
          where: [22, 16],
        },
      ],
    },
    {
      // A 47-byte segment's size byte is "/": with "home/…" after it, the header would begin a match.
      name: 'a real path after a segment whose size byte would make a path start in its header',
      bytes: async () => {
        const bytes = await dataSegmentsModule([
          'x',
          'home/bob/'.padEnd(47, '.'),
          '\0/home/alice/src/main.rs\0',
        ]);
        assert.equal(bytes[spanOf(bytes, 'home/bob/')[0] - 1], '/'.charCodeAt(0));
        return bytes;
      },
      findings: [
        {
          severity: 'info',
          message: 'Data segment 2 contains a home-directory build path (/home/alice/src/main.rs).',
          // Segment 2's contents start at 80, with a NUL before the path.
          where: [80 + 1, 23],
        },
      ],
    },
    {
      name: 'every segment is read, not a path cut in two by a segment header',
      wat: dataSegmentsWat(['x /home/al', 'ice/x.rs', '\0C:\\Users\\eve\\y\\z.c\0']),
      findings: [
        {
          severity: 'info',
          message: 'Data segment 2 contains a home-directory build path (C:\\Users\\eve\\y\\z.c).',
          // Segment 2's contents start at 50, with a NUL before the path.
          where: [50 + 1, 18],
        },
      ],
    },
  ],
});
