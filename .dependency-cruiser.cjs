// Layering of the sources, checked by `npm run lint:layers` (part of `npm test`).
// Data flows one way: core/module at the bottom, the server's wiring and the CLI on top, the
// client talking to the server only through server/src/protocol.

/** core/ folders from the bottom up: a folder may import only the folders listed before it. */
const CORE_LAYERS = [['module'], ['disasm', 'wat', 'wasi'], ['signing'], ['policy'], ['rules', 'sandbox']];

const core = 'server/src/core';
const upward = CORE_LAYERS.map((layer, index) => {
  const higher = CORE_LAYERS.slice(index).flat();
  return {
    name: `core-layer-${layer.join('-')}`,
    comment: `core/${layer.join(', core/')} may import only lower core folders`,
    severity: 'error',
    from: { path: `^${core}/(${layer.join('|')})/` },
    to: {
      path: `^${core}/(${higher.join('|')})/`,
      // A folder imports itself freely.
      pathNot: `^${core}/$1/`,
    },
  };
});

// eslint-disable-next-line no-undef -- a CommonJS config file, read by dependency-cruiser
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles between files',
      from: { path: '^(server|client)/src' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'core/ takes bytes or text and returns plain objects: no editor, LSP or server wiring',
      from: { path: `^${core}/` },
      to: {
        path: [
          '^node_modules/(vscode|vscode-languageserver|vscode-languageserver-protocol|vscode-languageclient|vscode-jsonrpc)/',
          '^server/src/(features|lsp|protocol|cli|workers)/',
          '^server/src/server\\.ts$',
          '^client/',
        ],
      },
    },
    {
      name: 'core-needs-no-vscode',
      severity: 'error',
      from: { path: `^${core}/` },
      to: { dependencyTypes: ['core'], path: '^vscode$' },
    },
    {
      name: 'protocol-is-declarations',
      severity: 'error',
      comment: 'protocol/ declares messages; it may name core types but not server wiring',
      from: { path: '^server/src/protocol/' },
      to: { path: '^server/src/(features|lsp|cli)/' },
    },
    {
      name: 'client-talks-through-protocol',
      severity: 'error',
      comment: 'the client imports from the server only its protocol and the report types it shows',
      from: { path: '^client/src/' },
      to: { path: '^server/src/', pathNot: '^server/src/(protocol/|core/sandbox/report\\.ts$)' },
    },
    {
      name: 'cli-and-server-apart',
      severity: 'error',
      comment: 'the CLI and the language server share core, never each other',
      from: { path: '^server/src/cli/' },
      to: { path: '^server/src/(features|lsp|protocol)/' },
    },
    {
      name: 'features-not-cli',
      severity: 'error',
      from: { path: '^server/src/(features|lsp|protocol)/' },
      to: { path: '^server/src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(out|dist|node_modules)/' },
  },
};
