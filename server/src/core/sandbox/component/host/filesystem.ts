/**
 * `wasi:filesystem`: the policy's preopens only, loaded into memory as for modules (symlinks out
 * of a preopen refused), read-only unless `rw`, and writes kept in memory (written back only when
 * confirmed, by the shared preopen code). A path that climbs out, or a write into a read-only
 * preopen, is a violation and gets the error the spec names (`not-permitted`, `read-only`).
 */
import type { SandboxPreopen } from '../../../policy/types';
import { checkGuestPath, isWithin } from '../../pathCheck';
import { collectWrites, loadPreopen, type LoadedPreopen } from '../../preopens';
import type { Shim, ShimDirectory, ShimFile, ShimInode } from '../../shim';
import { WitError, type HostContext } from './context';
import type { HostInterfaces } from './instrument';
import { InputStream, OutputStream } from './io';

interface Preopened {
  loaded: LoadedPreopen;
  root: ShimDirectory;
}

interface Flags {
  read?: boolean;
  write?: boolean;
  mutateDirectory?: boolean;
}

const fail = (code: string): never => {
  throw new WitError(code);
};

export class FilesystemHost {
  readonly preopened: Preopened[] = [];
  readonly interfaces: HostInterfaces;

  constructor(
    private readonly shim: Shim,
    private readonly ctx: HostContext,
  ) {
    const budget = { bytes: 0, entries: 0, exhausted: false };
    for (const preopen of ctx.policy.preopens) {
      const loaded = loadPreopen(shim, preopen, budget);
      ctx.notes.push(...loaded.notes);
      this.preopened.push({ loaded, root: new shim.Directory(loaded.contents) });
    }
    const host = this as FilesystemHost;

    class DirectoryEntryStream {
      private at = 0;
      constructor(private readonly entries: { type: string; name: string }[]) {}
      readDirectoryEntry(): { type: string; name: string } | undefined {
        return this.entries[this.at++];
      }
    }

    class Descriptor {
      constructor(
        readonly preopen: number,
        /** Path below the preopen ('' = its root). */
        readonly relative: string,
        readonly inode: ShimInode,
        readonly flags: Flags,
      ) {}
      private get file(): ShimFile {
        return this.inode instanceof shim.File ? this.inode : fail('is-directory');
      }
      private get dir(): ShimDirectory {
        return this.inode instanceof shim.Directory ? this.inode : fail('not-directory');
      }
      private _writable(call: string): void {
        host.checkWrite(call, this.preopen, this.relative);
        if (!this.flags.write) fail('bad-descriptor');
      }
      readViaStream(offset: bigint): InputStream {
        const file = this.file;
        let at = Number(offset);
        return new InputStream({
          read(max) {
            if (at >= file.data.byteLength) return undefined;
            const part = file.data.slice(at, at + max);
            at += part.byteLength;
            return part;
          },
        });
      }
      writeViaStream(offset: bigint): OutputStream {
        this._writable('write-via-stream');
        let at = Number(offset);
        const file = this.file;
        return new OutputStream({
          write(bytes) {
            writeInto(file, bytes, at);
            at += bytes.byteLength;
            return undefined;
          },
        });
      }
      appendViaStream(): OutputStream {
        this._writable('append-via-stream');
        const file = this.file;
        return new OutputStream({
          write(bytes) {
            writeInto(file, bytes, file.data.byteLength);
            return undefined;
          },
        });
      }
      advise(): void {}
      syncData(): void {}
      sync(): void {}
      getFlags(): Flags {
        return { ...this.flags };
      }
      getType(): string {
        return typeOf(this.inode);
      }
      setSize(size: bigint): void {
        this._writable('set-size');
        const file = this.file;
        const data = new Uint8Array(Number(size));
        data.set(file.data.subarray(0, data.byteLength));
        file.data = data;
      }
      setTimes(): void {
        this._writable('set-times');
      }
      read(length: bigint, offset: bigint): [Uint8Array, boolean] {
        const data = this.file.data;
        const start = Number(offset);
        const part = data.slice(start, start + Number(length));
        return [part, start + part.byteLength >= data.byteLength];
      }
      write(buffer: Uint8Array, offset: bigint): bigint {
        this._writable('write');
        writeInto(this.file, buffer, Number(offset));
        return BigInt(buffer.byteLength);
      }
      readDirectory(): DirectoryEntryStream {
        return new DirectoryEntryStream(
          [...this.dir.contents].map(([name, inode]) => ({ type: typeOf(inode), name })),
        );
      }
      stat(): object {
        return statOf(this.inode);
      }
      statAt(_pathFlags: unknown, path: string): object {
        return statOf(host.lookup('stat-at', this, path, false).inode ?? fail('no-entry'));
      }
      setTimesAt(_pathFlags: unknown, path: string): void {
        if (!host.lookup('set-times-at', this, path, true).inode) fail('no-entry');
      }
      linkAt(_flags: unknown, oldPath: string): void {
        host.lookup('link-at', this, oldPath, true);
        fail('not-permitted');
      }
      openAt(
        _pathFlags: unknown,
        path: string,
        open: { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean },
        flags: Flags,
      ): Descriptor {
        const wantsWrite = !!(open.create || open.truncate || flags.write || flags.mutateDirectory);
        const found = host.lookup('open-at', this, path, wantsWrite);
        let inode = found.inode;
        if (inode && open.create && open.exclusive) fail('exist');
        if (!inode) {
          if (!open.create) fail('no-entry');
          if (!found.name) fail('invalid');
          inode = open.directory ? new shim.Directory(new Map()) : new shim.File(new Uint8Array(0));
          found.parent.contents.set(found.name, inode);
        }
        if (open.directory && !(inode instanceof shim.Directory)) fail('not-directory');
        if (open.truncate && inode instanceof shim.File) inode.data = new Uint8Array(0);
        return new Descriptor(this.preopen, found.relative, inode, flags);
      }
      readlinkAt(path: string): string {
        host.lookup('readlink-at', this, path, false);
        return fail('invalid');
      }
      removeDirectoryAt(path: string): void {
        const found = host.lookup('remove-directory-at', this, path, true);
        if (!(found.inode instanceof shim.Directory)) return fail(found.inode ? 'not-directory' : 'no-entry');
        if (found.inode.contents.size) fail('not-empty');
        found.parent.contents.delete(found.name);
      }
      createDirectoryAt(path: string): void {
        const found = host.lookup('create-directory-at', this, path, true);
        if (found.inode) fail('exist');
        found.parent.contents.set(found.name, new shim.Directory(new Map()));
      }
      renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
        const from = host.lookup('rename-at', this, oldPath, true);
        const to = host.lookup('rename-at', newDescriptor, newPath, true);
        if (!from.inode) fail('no-entry');
        from.parent.contents.delete(from.name);
        to.parent.contents.set(to.name, from.inode as ShimInode);
      }
      symlinkAt(oldPath: string, newPath: string): void {
        host.lookup('symlink-at', this, newPath, true);
        host.violation('symlink-at', this.preopen, oldPath, 'symbolic links cannot be made in the sandbox');
        fail('not-permitted');
      }
      unlinkFileAt(path: string): void {
        const found = host.lookup('unlink-file-at', this, path, true);
        if (!found.inode) fail('no-entry');
        if (found.inode instanceof shim.Directory) fail('is-directory');
        found.parent.contents.delete(found.name);
      }
      isSameObject(other: Descriptor): boolean {
        return other.inode === this.inode;
      }
      metadataHash(): { lower: bigint; upper: bigint } {
        return hashOf(this.inode);
      }
      metadataHashAt(_pathFlags: unknown, path: string): { lower: bigint; upper: bigint } {
        return hashOf(host.lookup('metadata-hash-at', this, path, false).inode ?? fail('no-entry'));
      }
    }

    const ids = new WeakMap<ShimInode, bigint>();
    let nextId = 1n;
    const hashOf = (inode: ShimInode): { lower: bigint; upper: bigint } => {
      let id = ids.get(inode);
      if (id === undefined) ids.set(inode, (id = nextId++));
      return { lower: id, upper: 0n };
    };
    const typeOf = (inode: ShimInode): string =>
      inode instanceof shim.Directory ? 'directory' : 'regular-file';
    const statOf = (inode: ShimInode): object => ({
      type: typeOf(inode),
      linkCount: 1n,
      size: BigInt(inode instanceof shim.File ? inode.data.byteLength : 0),
    });

    const descriptors = this.preopened.map((p, i): [Descriptor, string] => [
      new Descriptor(i, '', p.root, {
        read: true,
        write: p.loaded.preopen.mode === 'rw',
        mutateDirectory: p.loaded.preopen.mode === 'rw',
      }),
      p.loaded.preopen.guest,
    ]);

    this.interfaces = {
      'wasi:filesystem/preopens': { functions: { getDirectories: () => [...descriptors] } },
      'wasi:filesystem/types': {
        functions: { filesystemErrorCode: () => undefined },
        resources: { Descriptor, DirectoryEntryStream },
      },
    };
  }

  /** Changed and new files of rw preopens (written to the host only with `writeBack`). */
  writes(writeBack: boolean): { host: string; bytes: number; writtenBack: boolean }[] {
    return this.preopened.flatMap((p) => collectWrites(this.shim, p.loaded, p.root, writeBack));
  }

  violation(call: string, preopen: number, path: string, reason: string): void {
    const guest = this.preopened[preopen]?.loaded.preopen.guest ?? '?';
    this.ctx.violation({
      call: `wasi:filesystem/types#[method]descriptor.${call}`,
      args: { preopen: guest, path },
      reason,
    });
  }

  checkWrite(call: string, preopen: number, relative: string): void {
    const p: SandboxPreopen = this.preopened[preopen].loaded.preopen;
    if (p.mode === 'rw') return;
    this.violation(call, preopen, relative, `the preopened directory ${p.guest} is read-only`);
    fail('read-only');
  }

  /** Resolves `path` below a directory descriptor, enforcing the preopen's bounds and mode. */
  lookup(
    call: string,
    from: { preopen: number; relative: string; inode: ShimInode },
    path: string,
    write: boolean,
  ): { parent: ShimDirectory; name: string; relative: string; inode?: ShimInode } {
    if (!(from.inode instanceof this.shim.Directory)) fail('not-directory');
    const verdict = checkGuestPath(path);
    if (verdict.relative === undefined) {
      this.violation(call, from.preopen, path, verdict.reason ?? 'path refused');
      return fail('not-permitted');
    }
    // `..` may not climb above the descriptor's own directory: resolve from the preopen root.
    const relative = [from.relative, verdict.relative].filter(Boolean).join('/');
    const { loaded, root } = this.preopened[from.preopen];
    const link = loaded.refusedLinks.find((l) => isWithin(relative, l.relative));
    if (link) {
      this.violation(
        call,
        from.preopen,
        path,
        `"${link.relative}" is a symlink to ${link.hostTarget}, outside the preopened directory`,
      );
      fail('not-permitted');
    }
    // `dir/../file` stays inside, but as on disk `dir` must be a directory that exists.
    const steps = path.split('/').filter((part) => part !== '' && part !== '.');
    steps.forEach((step, i) => {
      if (step !== '..') return;
      const before = checkGuestPath(steps.slice(0, i).join('/')).relative ?? '';
      const inode = this.walk(root, [from.relative, before].filter(Boolean).join('/'));
      if (!(inode instanceof this.shim.Directory)) fail(inode ? 'not-directory' : 'no-entry');
    });
    if (write) this.checkWrite(call, from.preopen, relative);
    const parts = relative ? relative.split('/') : [];
    if (parts.length === 0) return { parent: root, name: '', relative, inode: root };
    const dir = this.walk(root, parts.slice(0, -1).join('/'), true);
    if (!(dir instanceof this.shim.Directory)) return fail('not-directory');
    const name = parts[parts.length - 1];
    return { parent: dir, name, relative, inode: dir.contents.get(name) };
  }

  /** The inode at a normalised path below `root` (undefined when missing; `strict`: fail instead). */
  private walk(root: ShimDirectory, relative: string, strict = false): ShimInode | undefined {
    let inode: ShimInode | undefined = root;
    for (const part of relative ? relative.split('/') : []) {
      if (!(inode instanceof this.shim.Directory)) return strict ? fail('not-directory') : inode;
      inode = inode.contents.get(part);
      if (!inode) return strict ? fail('no-entry') : undefined;
    }
    return inode;
  }
}

function writeInto(file: ShimFile, bytes: Uint8Array, at: number): void {
  const end = at + bytes.byteLength;
  if (end > file.data.byteLength) {
    const grown = new Uint8Array(end);
    grown.set(file.data);
    file.data = grown;
  }
  file.data.set(bytes, at);
}
