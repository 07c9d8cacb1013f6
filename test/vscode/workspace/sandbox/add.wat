;; No WASI: add(i32, i32) -> i32, and a function that calls an import the preview does not provide.
(module
  (import "env" "log" (func $log (param i32)))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "callsLog") (call $log (i32.const 1))))
