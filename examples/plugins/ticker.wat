;; Hello world for WASI preview 1: writes "Hello, world!\n" to stdout with fd_write.
;; Run it with any WASI runtime, e.g. `wasmtime hello.wasm` (hello.wasm is this file, compiled).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32) (result i32)))

  ;; One page (64 KiB) is plenty, and a declared maximum keeps the module from growing.
  (memory (export "memory") 1 1)

  ;; The text at offset 8; the iovec {pointer, length} describing it at offset 0.
  (data (i32.const 8) "Hello, world!\n")

  (func $main (export "_start")
    (i32.store (i32.const 0) (i32.const 8))   ;; iov.buf
    (i32.store (i32.const 4) (i32.const 14))  ;; iov.buf_len
    (drop
      (call $fd_write
        (i32.const 1)    ;; stdout
        (i32.const 0)    ;; the iovec array
        (i32.const 1)    ;; one iovec
        (i32.const 20))) ;; where fd_write stores the number of bytes written
  )
)
