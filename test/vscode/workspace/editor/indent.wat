(module
  (func $f (result i32)
    i32.const 1
    i32.const 2
    i32.add)
)
