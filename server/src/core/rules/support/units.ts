/** Human-readable sizes for messages: exact binary units when they divide evenly, else one decimal. */
const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

export const WASM_PAGE_SIZE = 65536;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${UNITS[unit]}`;
}

export function formatPages(pages: number, pageSize: number): string {
  const unit = pages === 1 ? 'page' : 'pages';
  const size = pageSize === WASM_PAGE_SIZE ? '' : ` of ${formatBytes(pageSize)}`;
  return `${pages} ${unit}${size} (${formatBytes(pages * pageSize)})`;
}
