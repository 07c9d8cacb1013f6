/** Memory sizes in a policy: a number of bytes, or a string with a unit (`"64KiB"`, `"100MiB"`, `"1.5GB"`). */

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

export const SIZE_UNITS = Object.keys(UNITS);
export const WASM_PAGE_SIZE = 65536;

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/;

export type SizeResult = { bytes: number } | { error: string };

export function parseSize(value: unknown): SizeResult {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      return { error: `A size in bytes must be a whole number of at least 0; found ${value}.` };
    return { bytes: value };
  }
  if (typeof value !== 'string')
    return { error: 'A size must be a number of bytes or a string such as "64KiB" or "100MiB".' };
  const match = SIZE_PATTERN.exec(value);
  if (!match)
    return {
      error: `"${value}" is not a size. Write a number with a unit, such as "64KiB", "100MiB" or "2GiB".`,
    };
  const unitText = match[2] || 'B';
  const unit = Object.hasOwn(UNITS, unitText) ? UNITS[unitText] : undefined;
  if (unit === undefined) {
    return {
      error: `Unknown size unit "${unitText}" in "${value}". Use one of ${SIZE_UNITS.join(', ')} (case matters).`,
    };
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) return { error: `"${value}" is too large.` };
  return { bytes };
}

/** `104857600` → `100 MiB`: the friendliest exact spelling. */
export function formatBytes(bytes: number): string {
  for (const unit of ['GiB', 'MiB', 'KiB']) {
    if (bytes >= UNITS[unit] && bytes % UNITS[unit] === 0) return `${bytes / UNITS[unit]} ${unit}`;
  }
  return `${bytes} bytes`;
}
