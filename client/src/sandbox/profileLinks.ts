/**
 * Where a profiled function is in the text the editor shows: the `.wasm` view (the disassembly
 * prints each function as `(func $name (;index;) …`) or a `.wat` source (found by its `$name`, an
 * inline export of its name, or else as the index-th function declared, imports first). Pure, so
 * the link targets are unit-tested without an editor.
 */

export interface ProfiledFunction {
  index: number;
  name: string;
}

/** The document a function link opens: the module's `.wasm` view, or the `.wat` file itself. */
export function profileLinkKind(file: string): 'wasm-view' | 'source' {
  return /\.wasm$/i.test(file) ? 'wasm-view' : 'source';
}

/** The 0-based line of the function's `(func` in `text`, or undefined when it is not there. */
export function functionLine(
  text: string,
  fn: ProfiledFunction,
  kind: 'wasm-view' | 'source',
): number | undefined {
  const lines = text.split('\n');
  if (kind === 'wasm-view') {
    // A function with a name of its own shows its index as a comment; one without is `$funcN`.
    const marker = `(;${fn.index};)`;
    const at = lines.findIndex((l) => /^\s*\(func\b/.test(l) && l.includes(marker));
    if (at >= 0) return at;
    const unnamed = new RegExp(`^\\s*\\(func \\$func${fn.index}(?=[ )]|$)(?! \\(;)`);
    const plain = lines.findIndex((l) => unnamed.test(l));
    return plain >= 0 ? plain : undefined;
  }
  const id = new RegExp(`\\(func\\s+\\$${escapeRegExp(fn.name)}(?![\\w.$!#%&'*+/:<=>?@\\\\^\`|~-])`);
  const byName = lines.findIndex((l) => id.test(l));
  if (byName >= 0) return byName;
  const exported = `(export ${JSON.stringify(fn.name)})`;
  const byExport = lines.findIndex((l) => /\(func\b/.test(l) && l.includes(exported));
  if (byExport >= 0) return byExport;
  // Function indices count imported functions first, then definitions, in the order written.
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i].replace(/;;.*$/, '');
    if (/^\s*\(import\s+"[^"]*"\s+"[^"]*"\s+\(func\b/.test(code) || /^\s*\(func\b/.test(code)) seen++;
    if (seen === fn.index) return i;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
