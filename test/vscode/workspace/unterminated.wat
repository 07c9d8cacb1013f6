(module
  (func (export "greeting)))
