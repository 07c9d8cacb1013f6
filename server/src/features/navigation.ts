/**
 * Navigation over LSP for `.wat` documents and the `.wasm` text view (which is WAT too): go to
 * definition, find references (on an import: its call sites), document symbols (the Outline),
 * workspace symbols over the open modules, and the call hierarchy. One index per document
 * version, built on the first request (core/wat/navigationIndex); an edit makes it stale and
 * the next request builds the new one.
 */
import {
  SymbolKind,
  type CallHierarchyIncomingCall,
  type CallHierarchyItem,
  type CallHierarchyOutgoingCall,
  type Connection,
  type DocumentSymbol,
  type Location,
  type Range,
  type ServerCapabilities,
  type SymbolInformation,
  type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  buildNavigationIndex,
  type NavigationIndex,
  type NavSpace,
  type NavSymbol,
} from '../core/wat/navigationIndex';

export const NAVIGATION_CAPABILITIES: ServerCapabilities = {
  definitionProvider: true,
  referencesProvider: true,
  documentSymbolProvider: true,
  workspaceSymbolProvider: true,
  callHierarchyProvider: true,
};

const KIND: Record<NavSpace, SymbolKind> = {
  func: SymbolKind.Function,
  table: SymbolKind.Array,
  memory: SymbolKind.Object,
  global: SymbolKind.Variable,
  tag: SymbolKind.Event,
  type: SymbolKind.Interface,
  elem: SymbolKind.Array,
  data: SymbolKind.String,
  local: SymbolKind.Variable,
  label: SymbolKind.Key,
  export: SymbolKind.Event,
};

function isModuleText(document: TextDocument): boolean {
  return (
    document.languageId === 'wat' || /\.wat$/i.test(document.uri) || document.uri.startsWith('wasm-warden:')
  );
}

export function registerNavigationFeature(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
): void {
  const indexes = new Map<string, { version: number; index: NavigationIndex }>();
  documents.onDidClose((e) => indexes.delete(e.document.uri));
  documents.onDidChangeContent((e) => indexes.delete(e.document.uri));

  const indexOf = (uri: string): { document: TextDocument; index: NavigationIndex } | undefined => {
    const document = documents.get(uri);
    if (!document || !isModuleText(document)) return undefined;
    let kept = indexes.get(uri);
    if (!kept || kept.version !== document.version) {
      kept = { version: document.version, index: buildNavigationIndex(document.getText()) };
      indexes.set(uri, kept);
    }
    return { document, index: kept.index };
  };
  const range = (document: TextDocument, start: number, end: number): Range => ({
    start: document.positionAt(start),
    end: document.positionAt(end),
  });
  const label = (s: NavSymbol) => s.name ?? `${s.space} ${s.index}`;
  const item = (uri: string, document: TextDocument, s: NavSymbol): CallHierarchyItem => ({
    name: label(s),
    kind: SymbolKind.Function,
    uri,
    detail: s.detail ?? `func ${s.index}`,
    range: range(document, s.fieldStart, s.fieldEnd),
    selectionRange: range(document, s.start, s.end),
    data: { id: s.id },
  });

  connection.onDefinition((params): Location | null => {
    const found = indexOf(params.textDocument.uri);
    if (!found) return null;
    const symbol = found.index.symbolAt(found.document.offsetAt(params.position));
    return symbol
      ? { uri: params.textDocument.uri, range: range(found.document, symbol.start, symbol.end) }
      : null;
  });

  connection.onReferences((params): Location[] => {
    const found = indexOf(params.textDocument.uri);
    if (!found) return [];
    const symbol = found.index.symbolAt(found.document.offsetAt(params.position));
    if (!symbol) return [];
    const uri = params.textDocument.uri;
    const locations = found.index
      .referencesTo(symbol.id)
      .map((r) => ({ uri, range: range(found.document, r.start, r.end) }));
    if (params.context.includeDeclaration)
      locations.unshift({ uri, range: range(found.document, symbol.start, symbol.end) });
    return locations;
  });

  connection.onDocumentSymbol((params): DocumentSymbol[] => {
    const found = indexOf(params.textDocument.uri);
    if (!found) return [];
    const { document, index } = found;
    const children = new Map<number, DocumentSymbol[]>();
    for (const s of index.symbols) {
      if (s.owner === undefined || s.space !== 'local' || !s.name) continue;
      const list = children.get(s.owner) ?? [];
      list.push({
        name: s.name,
        kind: KIND.local,
        range: range(document, s.fieldStart, Math.max(s.end, Math.min(s.fieldEnd, s.end))),
        selectionRange: range(document, s.start, s.end),
      });
      children.set(s.owner, list);
    }
    return index.symbols
      .filter((s) => s.owner === undefined)
      .map((s) => {
        const name = s.space === 'export' ? `export ${s.name ?? ''}` : label(s);
        const detail = s.imported ? `import ${s.detail ?? ''}` : (s.detail ?? `${s.space} ${s.index}`);
        const symbol: DocumentSymbol = {
          name,
          detail,
          kind: KIND[s.space],
          range: range(document, s.fieldStart, s.fieldEnd),
          selectionRange: range(document, s.start, s.end),
        };
        const own = children.get(s.id);
        if (own) symbol.children = own;
        return symbol;
      });
  });

  connection.onWorkspaceSymbol((params): SymbolInformation[] => {
    const query = params.query.toLowerCase();
    const out: SymbolInformation[] = [];
    for (const document of documents.all()) {
      const found = indexOf(document.uri);
      if (!found) continue;
      for (const s of found.index.symbols) {
        if (s.owner !== undefined || !s.name || !s.name.toLowerCase().includes(query)) continue;
        out.push({
          name: s.name,
          kind: KIND[s.space],
          location: { uri: document.uri, range: range(document, s.start, s.end) },
          containerName: s.detail,
        });
        if (out.length >= 1000) return out;
      }
    }
    return out;
  });

  connection.languages.callHierarchy.onPrepare((params): CallHierarchyItem[] | null => {
    const found = indexOf(params.textDocument.uri);
    if (!found) return null;
    const symbol = found.index.symbolAt(found.document.offsetAt(params.position));
    if (symbol?.space !== 'func') return null;
    return [item(params.textDocument.uri, found.document, symbol)];
  });

  connection.languages.callHierarchy.onIncomingCalls((params): CallHierarchyIncomingCall[] => {
    const found = indexOf(params.item.uri);
    const id = (params.item.data as { id?: number } | undefined)?.id;
    if (!found || id === undefined) return [];
    const byCaller = new Map<number, Range[]>();
    for (const r of found.index.referencesTo(id)) {
      if (!r.call || r.inFunction === undefined) continue;
      const list = byCaller.get(r.inFunction) ?? [];
      list.push(range(found.document, r.start, r.end));
      byCaller.set(r.inFunction, list);
    }
    return [...byCaller].map(([caller, fromRanges]) => ({
      from: item(params.item.uri, found.document, found.index.symbols[caller]),
      fromRanges,
    }));
  });

  connection.languages.callHierarchy.onOutgoingCalls((params): CallHierarchyOutgoingCall[] => {
    const found = indexOf(params.item.uri);
    const id = (params.item.data as { id?: number } | undefined)?.id;
    if (!found || id === undefined) return [];
    const byCallee = new Map<number, Range[]>();
    for (const r of found.index.references) {
      if (!r.call || r.inFunction !== id) continue;
      const list = byCallee.get(r.symbol) ?? [];
      list.push(range(found.document, r.start, r.end));
      byCallee.set(r.symbol, list);
    }
    return [...byCallee].map(([callee, fromRanges]) => ({
      to: item(params.item.uri, found.document, found.index.symbols[callee]),
      fromRanges,
    }));
  });
}
