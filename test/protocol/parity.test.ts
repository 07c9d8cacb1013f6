/**
 * The editor and CI must agree: the language server and `wasm-warden check` give the same
 * findings (rule, severity, message, place) for every module in examples/.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

function modulesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(wasm|wat)$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

const SEVERITY = ['', 'error', 'warning', 'info'];

describe('editor and CLI parity on examples/', function () {
  this.timeout(60_000);

  it('finds the same problems, at the same places, with the same messages', async () => {
    const cli = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), 'check', '--format', 'json', '.'],
      {
        cwd: EXAMPLES,
        encoding: 'utf8',
      },
    );
    const report = JSON.parse(cli.stdout) as {
      files: Array<{
        path: string;
        findings: Array<{
          ruleId: string;
          severity: string;
          message: string;
          location: { kind: string; line?: number; column?: number; offset?: number };
        }>;
      }>;
    };
    const fromCli = new Map<string, string[]>();
    for (const file of report.files) {
      fromCli.set(
        path.join(EXAMPLES, file.path),
        file.findings
          .map(
            (f) =>
              `${f.ruleId} ${f.severity} ${f.location.kind === 'text' ? `${f.location.line}:${f.location.column}` : `+${f.location.offset}`} ${f.message}`,
          )
          .sort(),
      );
    }

    const client = new LspTestClient();
    try {
      await client.initialize(EXAMPLES);
      const files = modulesIn(EXAMPLES);
      assert.ok(files.length >= 6, `examples/ has modules: ${files.join(', ')}`);
      for (const file of files.filter((f) => f.endsWith('.wat')))
        await client.open(pathToFileURL(file).href, fs.readFileSync(file, 'utf8'));
      const fromEditor = new Map<string, string[]>();
      for (const file of files) {
        const published = await client.waitForDiagnostics(pathToFileURL(file).href);
        fromEditor.set(
          file,
          published.diagnostics
            .map((d) => {
              const binary = / \(at byte 0x([0-9a-f]+)\)$/.exec(d.message);
              const where = binary
                ? `+${parseInt(binary[1], 16)}`
                : `${d.range.start.line + 1}:${d.range.start.character + 1}`;
              const message = binary ? d.message.slice(0, binary.index) : d.message;
              return `${d.code} ${SEVERITY[d.severity ?? 0]} ${where} ${message}`;
            })
            .sort(),
        );
      }
      assert.deepEqual([...fromEditor.keys()].sort(), [...fromCli.keys()].sort());
      for (const [file, findings] of fromEditor)
        assert.deepEqual(findings, fromCli.get(file), path.relative(EXAMPLES, file));
      // The comparison means something only if there is something to compare.
      assert.ok([...fromCli.values()].flat().length >= 5);
    } finally {
      client.kill();
    }
  });
});
