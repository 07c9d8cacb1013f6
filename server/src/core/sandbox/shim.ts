/**
 * Loads `@bjorn3/browser_wasi_shim` (an ES module) from this CommonJS code. Only the sandbox
 * process loads it; the parent never does.
 */
export type Shim = typeof import('@bjorn3/browser_wasi_shim', { with: { 'resolution-mode': 'import' } });
export type ShimInode = InstanceType<Shim['Inode']>;
export type ShimFile = InstanceType<Shim['File']>;
export type ShimDirectory = InstanceType<Shim['Directory']>;

export async function loadShim(): Promise<Shim> {
  return await import('@bjorn3/browser_wasi_shim');
}
