;; A plugin that asks for more than its policy grants: hover the imports and the memory to see
;; why each is flagged, and try the quick fixes (Ctrl+. / Cmd+.).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  ;; Opening files and sockets is not something a plugin here may do.
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  ;; An eval bridge into the host's JavaScript.
  (import "env" "emscripten_run_script" (func $run_script (param i32)))

  ;; No maximum: the plugin could grow to 4 GiB.
  (memory (export "memory") 2)

  (data (i32.const 64) "https://telemetry.example.net/collect")

  (func $init (call $run_script (i32.const 64)))
  (start $init)

  (func (export "_start")))
