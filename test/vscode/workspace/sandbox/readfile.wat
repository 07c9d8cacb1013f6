;; Opens "greeting.txt" in the first preopen (fd 3), reads up to 64 bytes and writes them to stdout.
;; Exits 1 if path_open fails, 2 if fd_read fails.
(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "greeting.txt")
  (func (export "_start")
    ;; path_open(fd=3, dirflags=0, path=100, len=12, oflags=0, rights=fd_read(2), inheriting=0, fdflags=0, out=200)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 12) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200))
      (then (call $proc_exit (i32.const 1))))
    ;; iovec at 300: buf 400, len 64; nread at 310
    (i32.store (i32.const 300) (i32.const 400))
    (i32.store (i32.const 304) (i32.const 64))
    (if (call $fd_read (i32.load (i32.const 200)) (i32.const 300) (i32.const 1) (i32.const 310))
      (then (call $proc_exit (i32.const 2))))
    (i32.store (i32.const 304) (i32.load (i32.const 310)))
    (drop (call $fd_write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 320)))))
