(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1 4)
  (func (export "_start")
    ;; Both imports are called (under a branch never taken), so the generated policy grants them.
    (if (i32.const 0)
      (then
        (drop (call $fd_write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 0)))))))
