/**
 * Turns the host's interfaces into jco's import object, counting every call under its WIT name
 * (`wasi:io/streams#[method]output-stream.blocking-write-and-flush`) and telling apart what the
 * component imports that the host does not provide.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass = abstract new (...args: any[]) => any;

export interface HostInterface {
  functions?: Record<string, AnyFn>;
  resources?: Record<string, AnyClass>;
}
export type HostInterfaces = Record<string, HostInterface>;

const kebab = (name: string): string =>
  name.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase());

export interface Instrumented {
  imports: Record<string, Record<string, unknown>>;
  /** Interface members the component asked for that the host lacks (`iface#name`). */
  missing: string[];
}

export function instrument(
  interfaces: HostInterfaces,
  onCall: (name: string) => void,
  onMissing: (name: string) => never,
): Instrumented {
  const imports: Record<string, Record<string, unknown>> = {};
  const missing: string[] = [];
  const wrapped = new Map<AnyClass, AnyClass>();
  for (const [iface, parts] of Object.entries(interfaces)) {
    const table: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(parts.functions ?? {})) {
      const counted = `${iface}#${kebab(name)}`;
      table[name] = (...args: unknown[]) => {
        onCall(counted);
        return fn(...args);
      };
    }
    for (const [name, cls] of Object.entries(parts.resources ?? {})) {
      // A resource class shared by two interfaces is wrapped once, under the first.
      const known = wrapped.get(cls);
      if (known) {
        table[name] = known;
        continue;
      }
      const resource = kebab(name);
      // The component's `[constructor]` calls go through this proxy (the host's own `new` does
      // not); `instanceof` the proxy still holds for every instance of the class.
      const constructorName = `${iface}#[constructor]${resource}`;
      const counting = new Proxy(cls, {
        construct(target, args: unknown[], newTarget: AnyFn) {
          onCall(constructorName);
          return Reflect.construct(target, args, newTarget) as object;
        },
      });
      wrapped.set(cls, counting);
      table[name] = counting;
      for (const method of Object.getOwnPropertyNames(cls.prototype)) {
        // Accessors and `_` methods are the host's own helpers, not interface functions: left alone.
        const original = Object.getOwnPropertyDescriptor(cls.prototype, method)?.value as unknown;
        if (method === 'constructor' || method.startsWith('_') || typeof original !== 'function') continue;
        const counted = `${iface}#[method]${resource}.${kebab(method)}`;
        cls.prototype[method] = function (this: unknown, ...args: unknown[]) {
          onCall(counted);
          return (original as AnyFn).apply(this, args);
        };
      }
      for (const method of Object.getOwnPropertyNames(cls)) {
        const original = (cls as unknown as Record<string, unknown>)[method];
        if (
          typeof original !== 'function' ||
          method.startsWith('_') ||
          ['length', 'name', 'prototype'].includes(method)
        )
          continue;
        const counted = `${iface}#[static]${resource}.${kebab(method)}`;
        (cls as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          onCall(counted);
          return (original as AnyFn)(...args);
        };
      }
    }
    imports[iface] = new Proxy(table, {
      get(target, key) {
        if (typeof key !== 'string' || key in target) return target[key as string];
        const name = `${iface}#${kebab(key)}`;
        if (!missing.includes(name)) missing.push(name);
        return () => onMissing(name);
      },
    });
  }
  return { imports, missing };
}
