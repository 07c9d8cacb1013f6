;; A module with no imports at all: a pure function a host can call.
(module
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add)

  (func $add64 (export "add64") (param i64 i64) (result i64)
    (i64.add (local.get 0) (local.get 1)))
)
