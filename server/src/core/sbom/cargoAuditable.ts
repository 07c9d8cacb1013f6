/**
 * cargo-auditable's `.dep-v0` custom section: the Rust dependency tree a build embedded, as
 * zlib-compressed JSON `{"packages":[{"name","version","source","kind","dependencies":[i],"root"}]}`.
 * Decompression is bounded, and a section that is not that shape is a problem, never a crash.
 */
import { inflateSync } from 'node:zlib';
import type { ModuleFacts } from '../module/model';

export const DEP_V0_SECTION = '.dep-v0';

/** Far above any real dependency tree (thousands of crates are a few hundred KB of JSON). */
const MAX_INFLATED = 16 * 1024 * 1024;

export interface CargoPackage {
  name: string;
  version: string;
  /** `crates.io`, `git`, `local`, `registry` or `other`, as cargo-auditable records it. */
  source: string;
  /** `runtime` or `build` (cargo-auditable omits it for runtime). */
  kind: string;
  /** Indices into the same list. */
  dependencies: number[];
  root: boolean;
}

export type DepV0Result = { packages: CargoPackage[] } | { error: string };

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function parseDepV0(payload: Uint8Array): DepV0Result {
  let json: unknown;
  try {
    json = JSON.parse(inflateSync(payload, { maxOutputLength: MAX_INFLATED }).toString('utf8'));
  } catch (error) {
    return {
      error: `the ${DEP_V0_SECTION} section is not zlib-compressed JSON: ${(error as Error).message}`,
    };
  }
  const list = (json as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(list)) return { error: `the ${DEP_V0_SECTION} section has no "packages" list` };
  const packages: CargoPackage[] = [];
  for (const entry of list as Array<Record<string, unknown>>) {
    if (!entry || typeof entry.name !== 'string' || typeof entry.version !== 'string')
      return { error: `a package in the ${DEP_V0_SECTION} section has no name or version` };
    const deps = Array.isArray(entry.dependencies) ? entry.dependencies : [];
    packages.push({
      name: entry.name,
      version: entry.version,
      source: text(entry.source, 'crates.io'),
      kind: text(entry.kind, 'runtime'),
      dependencies: deps.filter((d): d is number => Number.isInteger(d) && d >= 0 && d < list.length),
      root: entry.root === true,
    });
  }
  return { packages };
}

/** The module's `.dep-v0` dependencies, or undefined when it has no such section. */
export function cargoPackagesOf(facts: ModuleFacts, bytes: Uint8Array): DepV0Result | undefined {
  const section = facts.customSections.find((c) => c.name === DEP_V0_SECTION);
  if (!section || section.payloadOffset === undefined) return undefined;
  return parseDepV0(bytes.subarray(section.payloadOffset, section.payloadOffset + section.size));
}

/** The package URL of a crate: `pkg:cargo/name@version` (crates.io is the purl type's default). */
export function cargoPurl(pkg: CargoPackage): string {
  return `pkg:cargo/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}`;
}
