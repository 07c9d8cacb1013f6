/**
 * The WASI preview1 host of the sandbox: browser_wasi_shim's implementation, wrapped function by
 * function. Every call is counted; calls the policy does not allow are denied with an errno and
 * recorded as violations (the module keeps running), except `proc_raise`, which stops it.
 */
import type { SandboxPolicy } from '../policy/types';
import type { SandboxViolation } from './report';
import { checkGuestPath, isWithin } from './pathCheck';
import { collectWrites, loadPreopen, type LoadedPreopen } from './preopens';
import type { Shim, ShimDirectory } from './shim';
import type { WasmInstance } from './wasmApi';

export const WASI_MODULE = 'wasi_snapshot_preview1';

const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_ROFS = 69;
const ERRNO_NOTCAPABLE = 76;
const OFLAGS_CREAT = 1;
const OFLAGS_TRUNC = 8;
const RIGHTS_FD_WRITE = 1n << 6n;
/** A fixed wall clock (2024-01-01T00:00:00Z) for `clock: "fixed"`. */
const FIXED_REALTIME_NS = 1_704_067_200_000_000_000n;

/** Thrown from a host call to end the run as stopped by the sandbox. */
export class SandboxStop extends Error {}

/** Thrown from a host call that cannot work yet (before the instance exists) — becomes a trap. */
export class HostTrap extends Error {}

export interface WasiHostOptions {
  policy: SandboxPolicy;
  /** argv, including argv[0]. */
  args: string[];
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
  onViolation(v: Omit<SandboxViolation, 'atMs'>): void;
  /** Called after every host call (counting, sampling). */
  onCall(qualifiedName: string): void;
}

type HostFn = (...args: never[]) => unknown;

export class PolicyWasiHost {
  readonly wasi: InstanceType<Shim['WASI']>;
  readonly imports: Record<string, HostFn> = {};
  readonly notes: string[] = [];
  private readonly preopens: { loaded: LoadedPreopen; dir: ShimDirectory }[] = [];
  /** Which preopen each open directory/file descriptor came from (index into `preopens`). */
  private readonly fdPreopen = new Map<number, number>();
  private fixedMonotonic = 0n;
  private randomState = 0x2545f491;

  constructor(
    private readonly shim: Shim,
    private readonly options: WasiHostOptions,
  ) {
    const env = Object.entries(options.policy.env).map(([k, v]) => `${k}=${v}`);
    const fds: InstanceType<Shim['Fd']>[] = [
      new shim.OpenFile(new shim.File(new Uint8Array(0), { readonly: true })),
      new shim.ConsoleStdout(options.stdout),
      new shim.ConsoleStdout(options.stderr),
    ];
    const budget = { bytes: 0, entries: 0, exhausted: false };
    for (const preopen of options.policy.preopens) {
      const loaded = loadPreopen(shim, preopen, budget);
      this.notes.push(...loaded.notes);
      const open = new shim.PreopenDirectory(preopen.guest, loaded.contents);
      this.fdPreopen.set(fds.length, this.preopens.length);
      this.preopens.push({ loaded, dir: open.dir });
      fds.push(open);
    }
    this.wasi = new shim.WASI(options.args, env, fds);
    for (const [name, original] of Object.entries(this.wasi.wasiImport)) {
      this.imports[name] = (...args: never[]) => {
        this.options.onCall(`${WASI_MODULE}.${name}`);
        if (!this.wasi.inst)
          throw new HostTrap(
            `${WASI_MODULE}.${name} was called from the start function, before the module's memory is available to the host`,
          );
        const denied = this.check(name, args as unknown[]);
        if (denied !== undefined) return denied;
        const result = original(...args);
        this.after(name, args as unknown[], result);
        return result;
      };
    }
  }

  /** Makes the instance's memory visible to the host (call before running any export). */
  bind(instance: WasmInstance): void {
    (this.wasi as { inst: unknown }).inst = instance;
  }

  /** Changed/new files of rw preopens (written to the host only with `writeBack`). */
  writes(writeBack: boolean): { host: string; bytes: number; writtenBack: boolean }[] {
    return this.preopens.flatMap((p) => collectWrites(this.shim, p.loaded, p.dir, writeBack));
  }

  private memory(): DataView {
    return new DataView(this.wasi.inst.exports.memory.buffer);
  }

  private readString(ptr: unknown, len: unknown): string {
    const bytes = new Uint8Array(this.wasi.inst.exports.memory.buffer, Number(ptr), Number(len));
    return new TextDecoder().decode(bytes);
  }

  private deny(call: string, args: Record<string, string | number>, reason: string, errno: number): number {
    this.options.onViolation({ call: `${WASI_MODULE}.${call}`, args, reason });
    return errno;
  }

  /** Returns an errno to deny the call, undefined to let the shim run it. */
  private check(name: string, a: unknown[]): number | undefined {
    if (name.startsWith('sock_')) {
      return this.deny(
        name,
        { fd: Number(a[0]) },
        'sockets are not available in the sandbox',
        ERRNO_NOTCAPABLE,
      );
    }
    switch (name) {
      case 'proc_raise':
        this.options.onViolation({
          call: `${WASI_MODULE}.proc_raise`,
          args: { signal: Number(a[0]) },
          reason: 'raising signals is not allowed',
        });
        throw new SandboxStop(`proc_raise(${Number(a[0])}) is not allowed`);
      case 'path_open': {
        const [fd, , pathPtr, pathLen, oflags, rightsBase] = a;
        const path = this.readString(pathPtr, pathLen);
        const wantsWrite =
          (Number(oflags) & (OFLAGS_CREAT | OFLAGS_TRUNC)) !== 0 ||
          (BigInt(rightsBase as bigint) & RIGHTS_FD_WRITE) !== 0n;
        return this.checkPath(name, Number(fd), path, wantsWrite, {
          oflags: Number(oflags),
          write: wantsWrite ? 'yes' : 'no',
        });
      }
      case 'path_create_directory':
      case 'path_unlink_file':
      case 'path_remove_directory':
        return this.checkPath(name, Number(a[0]), this.readString(a[1], a[2]), true);
      case 'path_filestat_get':
        return this.checkPath(name, Number(a[0]), this.readString(a[2], a[3]), false);
      case 'path_readlink':
        return this.checkPath(name, Number(a[0]), this.readString(a[1], a[2]), false);
      case 'path_filestat_set_times':
        return this.checkPath(name, Number(a[0]), this.readString(a[2], a[3]), true);
      case 'path_symlink':
        // (old_path, old_len, fd, new_path, new_len): a link is a write, and its target must stay inside too.
        return (
          this.checkPath(name, Number(a[2]), this.readString(a[0], a[1]), true) ??
          this.checkPath(name, Number(a[2]), this.readString(a[3], a[4]), true)
        );
      case 'path_rename':
        return (
          this.checkPath(name, Number(a[0]), this.readString(a[1], a[2]), true) ??
          this.checkPath(name, Number(a[3]), this.readString(a[4], a[5]), true)
        );
      case 'path_link':
        return (
          this.checkPath(name, Number(a[0]), this.readString(a[2], a[3]), true) ??
          this.checkPath(name, Number(a[4]), this.readString(a[5], a[6]), true)
        );
      case 'fd_write':
      case 'fd_pwrite':
      case 'fd_filestat_set_size':
      case 'fd_allocate':
      case 'fd_filestat_set_times': {
        const fd = Number(a[0]);
        const index = this.fdPreopen.get(fd);
        if (index !== undefined && this.preopens[index].loaded.preopen.mode !== 'rw') {
          return this.deny(
            name,
            { fd, preopen: this.preopens[index].loaded.preopen.guest },
            'the preopened directory is read-only',
            ERRNO_ROFS,
          );
        }
        return undefined;
      }
      case 'clock_time_get':
        if (this.options.policy.clock === 'fixed') {
          const id = Number(a[0]);
          const value = id === 0 ? FIXED_REALTIME_NS : (this.fixedMonotonic += 1000n);
          this.memory().setBigUint64(Number(a[2]), value, true);
          return 0;
        }
        return undefined;
      case 'random_get': {
        // The shim fills a view clamped to memory and reports success: a buffer that runs past
        // the end of memory is the module's bug, and WASI's answer to it is EFAULT.
        const end = (Number(a[0]) >>> 0) + (Number(a[1]) >>> 0);
        if (end > this.wasi.inst.exports.memory.buffer.byteLength) return ERRNO_FAULT;
        if (this.options.policy.random === 'fixed') {
          // Deterministic bytes (xorshift32) so runs repeat exactly; not for secrets, by design.
          const out = new Uint8Array(this.wasi.inst.exports.memory.buffer, Number(a[0]), Number(a[1]));
          for (let i = 0; i < out.length; i++) {
            let x = this.randomState;
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            this.randomState = x >>> 0;
            out[i] = this.randomState & 0xff;
          }
          return 0;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private checkPath(
    call: string,
    fd: number,
    path: string,
    write: boolean,
    extra: Record<string, string | number> = {},
  ): number | undefined {
    const index = this.fdPreopen.get(fd);
    const args = { fd, path, ...extra };
    if (index === undefined) {
      // Not a directory the sandbox handed out: the shim answers EBADF/ENOTDIR itself.
      return this.fdIsOpen(fd) ? undefined : ERRNO_BADF;
    }
    const { loaded } = this.preopens[index];
    const verdict = checkGuestPath(path);
    if (verdict.relative === undefined)
      return this.deny(call, args, verdict.reason ?? 'path refused', ERRNO_NOTCAPABLE);
    const base = this.fdBase.get(fd) ?? '';
    const relative = base ? (verdict.relative ? `${base}/${verdict.relative}` : base) : verdict.relative;
    const link = loaded.refusedLinks.find((l) => isWithin(relative, l.relative));
    if (link)
      return this.deny(
        call,
        args,
        `"${link.relative}" is a symlink to ${link.hostTarget}, outside the preopened directory`,
        ERRNO_NOTCAPABLE,
      );
    if (write && loaded.preopen.mode !== 'rw')
      return this.deny(
        call,
        args,
        `the preopened directory ${loaded.preopen.guest} is read-only`,
        ERRNO_ROFS,
      );
    return undefined;
  }

  /** Path of each descriptor opened below a preopen, relative to it (to follow refused links). */
  private readonly fdBase = new Map<number, string>();

  private fdIsOpen(fd: number): boolean {
    return this.wasi.fds[fd] !== undefined;
  }

  private after(name: string, a: unknown[], result: unknown): void {
    if (name === 'path_open' && result === 0) {
      const dirFd = Number(a[0]);
      const index = this.fdPreopen.get(dirFd);
      const opened = this.memory().getUint32(Number(a[8]), true);
      if (index !== undefined) {
        this.fdPreopen.set(opened, index);
        const rel = checkGuestPath(this.readString(a[2], a[3])).relative ?? '';
        const base = this.fdBase.get(dirFd) ?? '';
        this.fdBase.set(opened, base ? (rel ? `${base}/${rel}` : base) : rel);
      }
    } else if (name === 'fd_close' && result === 0) {
      this.fdPreopen.delete(Number(a[0]));
      this.fdBase.delete(Number(a[0]));
    } else if (name === 'fd_renumber' && result === 0) {
      const [from, to] = [Number(a[0]), Number(a[1])];
      const index = this.fdPreopen.get(from);
      this.fdPreopen.delete(to);
      this.fdBase.delete(to);
      if (index !== undefined) this.fdPreopen.set(to, index);
      const base = this.fdBase.get(from);
      if (base !== undefined) this.fdBase.set(to, base);
      this.fdPreopen.delete(from);
      this.fdBase.delete(from);
    }
  }
}
