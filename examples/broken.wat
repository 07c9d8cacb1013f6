;; A syntax error on purpose: the "(module" below is never closed.
;; Add the missing ")" at the end of the file and the error goes away.
(module
  (func $square (export "square") (param $x f64) (result f64)
    (f64.mul (local.get $x) (local.get $x)))
