/**
 * WIT text of component types: type expressions, function signatures, interface bodies and the
 * component's world. The world block follows what `wasm-tools component wit` prints; the
 * interfaces it imports and exports follow as nested `package … { interface … }` blocks with their
 * types and functions, which `component wit` leaves out.
 */
import { underlying, type ComponentType, type DeclaredExtern } from './types';

const KEYWORDS = new Set([
  'as', 'async', 'bool', 'borrow', 'char', 'constructor', 'enum', 'export', 'f32', 'f64', 'flags',
  'from', 'func', 'future', 'import', 'include', 'interface', 'list', 'map', 'option', 'own',
  'package', 'record', 'resource', 's16', 's32', 's64', 's8', 'static', 'stream', 'string',
  'tuple', 'type', 'u16', 'u32', 'u64', 'u8', 'use', 'variant', 'with', 'world', 'result',
  'error-context', 'float32', 'float64', 'include',
]); // prettier-ignore

/** An identifier as WIT writes it: keywords get a `%`. */
export function witIdent(name: string): string {
  return KEYWORDS.has(name) ? `%${name}` : name;
}

/** Type expressions longer than this are cut (a hostile type can double in size at every level). */
const MAX_TYPE_TEXT = 4000;
const MAX_DEPTH = 64;

/** A type as it appears where it is used: a name if it has one, else its structure. */
export function typeText(type: ComponentType): string {
  const text = render(type, 0);
  return text.length > MAX_TYPE_TEXT ? `${text.slice(0, MAX_TYPE_TEXT)}…` : text;
}

function render(t: ComponentType, depth: number): string {
  if (depth > MAX_DEPTH) return '…';
  const d = depth + 1;
  const opt = (x: ComponentType | null): string => (x ? render(x, d) : '_');
  switch (t.kind) {
    case 'named':
      return witIdent(t.name);
    case 'resource':
      return t.name ? witIdent(t.name) : 'resource';
    case 'primitive':
      return t.name;
    case 'list':
      return t.length === undefined
        ? `list<${render(t.element, d)}>`
        : `list<${render(t.element, d)}, ${t.length}>`;
    case 'tuple':
      return `tuple<${t.elements.map((e) => render(e, d)).join(', ')}>`;
    case 'option':
      return `option<${render(t.element, d)}>`;
    case 'result':
      if (!t.ok && !t.error) return 'result';
      if (!t.error) return `result<${opt(t.ok)}>`;
      return `result<${opt(t.ok)}, ${render(t.error, d)}>`;
    case 'own':
      return render(t.resource, d);
    case 'borrow':
      return `borrow<${render(t.resource, d)}>`;
    case 'stream':
    case 'future':
      return t.element ? `${t.kind}<${render(t.element, d)}>` : t.kind;
    case 'record':
      return `record { ${t.fields.map((f) => `${witIdent(f.name)}: ${render(f.type, d)}`).join(', ')} }`;
    case 'variant':
      return `variant { ${t.cases.map((c) => (c.type ? `${witIdent(c.name)}(${render(c.type, d)})` : witIdent(c.name))).join(', ')} }`;
    case 'enum':
    case 'flags':
      return `${t.kind} { ${t.names.map(witIdent).join(', ')} }`;
    case 'func':
      return funcText(t);
    case 'instance':
      return 'interface';
    case 'component':
      return 'component';
    case 'opaque':
      return t.what;
  }
}

/** `func(a: T) -> R` (with `async` when the function is async). */
export function funcText(t: ComponentType, skipSelf = false): string {
  if (t.kind !== 'func') return typeText(t);
  const params = (skipSelf ? t.params.slice(1) : t.params).map(
    (p) => `${witIdent(p.name)}: ${typeText(p.type)}`,
  );
  const result =
    t.results.length === 0
      ? ''
      : t.results.length === 1
        ? ` -> ${typeText(t.results[0])}`
        : ` -> tuple<${t.results.map(typeText).join(', ')}>`;
  return `${t.async ? 'async ' : ''}func(${params.join(', ')})${result}`;
}

/** The definition of a named type: `record x { … }`, `type x = …`, `resource x { … }`. */
function typeDefinition(name: string, target: ComponentType, indent: string, members: string[]): string[] {
  const id = witIdent(name);
  const inner = `${indent}  `;
  switch (target.kind) {
    case 'record':
      return [
        `${indent}record ${id} {`,
        ...target.fields.map((f) => `${inner}${witIdent(f.name)}: ${typeText(f.type)},`),
        `${indent}}`,
      ];
    case 'variant':
      return [
        `${indent}variant ${id} {`,
        ...target.cases.map((c) => `${inner}${witIdent(c.name)}${c.type ? `(${typeText(c.type)})` : ''},`),
        `${indent}}`,
      ];
    case 'enum':
    case 'flags':
      return [
        `${indent}${target.kind} ${id} {`,
        ...target.names.map((n) => `${inner}${witIdent(n)},`),
        `${indent}}`,
      ];
    case 'resource':
      return members.length === 0
        ? [`${indent}resource ${id};`]
        : [`${indent}resource ${id} {`, ...members, `${indent}}`];
    default:
      return [`${indent}type ${id} = ${typeText(target)};`];
  }
}

/** How a function named as the component model names resource members belongs to a resource. */
export function resourceMember(
  name: string,
): { resource: string; member: string; form: 'constructor' | 'method' | 'static' } | null {
  const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (!m) return null;
  return { form: m[1] as 'constructor' | 'method' | 'static', resource: m[2], member: m[3] ?? '' };
}

/** Which interface each exported type was declared in, for `use` lines. */
export type TypeOwners = Map<ComponentType, string>;

/** The body of an interface: its types (resources with their members) and functions. */
export function interfaceBody(
  name: string,
  exports: DeclaredExtern[],
  owners: TypeOwners,
  indent: string,
): string[] {
  const lines: string[] = [];
  const uses = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  const free: string[] = [];
  for (const e of exports) {
    if (e.kind !== 'func') continue;
    const member = resourceMember(e.name);
    const sig = underlying(e.type);
    if (member) {
      const text =
        member.form === 'constructor'
          ? `constructor(${sig.kind === 'func' ? sig.params.map((p) => `${witIdent(p.name)}: ${typeText(p.type)}`).join(', ') : ''});`
          : member.form === 'static'
            ? `${witIdent(member.member)}: static ${funcText(sig)};`
            : `${witIdent(member.member)}: ${funcText(sig, true)};`;
      const list = members.get(member.resource) ?? [];
      list.push(`${indent}    ${text}`);
      members.set(member.resource, list);
    } else free.push(`${indent}  ${witIdent(e.name)}: ${funcText(sig)};`);
  }
  for (const e of exports) {
    if (e.kind !== 'type') continue;
    const own = e.type;
    const target = own.kind === 'named' ? own.target : own;
    const from = target.kind === 'named' || target.kind === 'resource' ? owners.get(target) : undefined;
    if (own.kind === 'named' && from && from !== name) {
      const targetName = (target as { name: string }).name;
      const list = uses.get(from) ?? [];
      list.push(targetName === e.name ? witIdent(e.name) : `${witIdent(targetName)} as ${witIdent(e.name)}`);
      uses.set(from, list);
      continue;
    }
    lines.push(
      ...typeDefinition(
        e.name,
        own.kind === 'named' ? target : own,
        `${indent}  `,
        members.get(e.name) ?? [],
      ),
    );
  }
  const useLines = [...uses].map(([from, names]) => `${indent}  use ${from}.{${names.join(', ')}};`);
  return [...useLines, ...lines, ...free];
}

export interface WorldItemForWit {
  name: string;
  kind: DeclaredExtern['kind'];
  type: ComponentType;
}

const INTERFACE_NAME = /^([a-z0-9-]+):([a-z0-9-]+(?::[a-z0-9-]+)*)\/([a-z0-9-]+)(?:@(.+))?$/;

/** Splits `ns:pkg/iface@1.2.3` into its package (`ns:pkg@1.2.3`) and interface. */
export function splitInterfaceName(
  name: string,
): { namespace: string; pkg: string; iface: string; version?: string } | null {
  const m = INTERFACE_NAME.exec(name);
  return m ? { namespace: m[1], pkg: m[2], iface: m[3], version: m[4] } : null;
}

/** The component's world, then the interfaces it names, as WIT. */
export function worldText(
  imports: WorldItemForWit[],
  exports: WorldItemForWit[],
  owners: TypeOwners,
): string {
  const out: string[] = ['package root:component;', '', 'world root {'];
  // As `component wit` prints it: imports, then the world's types, then exports, blank lines between.
  const blocks: string[][] = [];
  const itemLines = (items: WorldItemForWit[], keyword: 'import' | 'export'): string[] =>
    items
      .filter((i) => i.kind !== 'type')
      .flatMap((i) => {
        const t = underlying(i.type);
        if (i.kind === 'instance' && splitInterfaceName(i.name)) return [`  ${keyword} ${i.name};`];
        if (i.kind === 'instance' && t.kind === 'instance')
          return [
            `  ${keyword} ${witIdent(i.name)}: interface {`,
            ...interfaceBody(i.name, t.exports, owners, '  '),
            '  }',
          ];
        return [`  ${keyword} ${witIdent(i.name)}: ${t.kind === 'func' ? funcText(t) : typeText(t)};`];
      });
  blocks.push(itemLines(imports, 'import'));
  for (const t of [...imports, ...exports].filter((i) => i.kind === 'type'))
    blocks.push(typeDefinition(t.name, t.type.kind === 'named' ? t.type.target : t.type, '  ', []));
  blocks.push(itemLines(exports, 'export'));
  blocks
    .filter((b) => b.length > 0)
    .forEach((b, n) => {
      if (n > 0) out.push('');
      out.push(...b);
    });
  out.push('}');
  // The interfaces, grouped by package.
  const packages = new Map<string, string[]>();
  for (const item of [...imports, ...exports]) {
    const parts = splitInterfaceName(item.name);
    const t = underlying(item.type);
    if (!parts || item.kind !== 'instance' || t.kind !== 'instance') continue;
    const pkg = `${parts.namespace}:${parts.pkg}${parts.version ? `@${parts.version}` : ''}`;
    const body = packages.get(pkg) ?? [];
    if (body.length) body.push('');
    body.push(
      `  interface ${witIdent(parts.iface)} {`,
      ...interfaceBody(item.name, t.exports, owners, '  '),
      '  }',
    );
    packages.set(pkg, body);
  }
  for (const [pkg, body] of packages) out.push('', `package ${pkg} {`, ...body, '}');
  return `${out.join('\n')}\n`;
}
