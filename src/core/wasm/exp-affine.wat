;; out[i] = exp(offset + slope * values[i]) for float32 arrays, four at a time with WebAssembly SIMD.
;;
;; Assembled by `npx tsx scripts/build-wasm.ts` into exp-affine.wasm.ts; used by src/core/fast-math.ts,
;; which owns the memory (values and out are byte addresses of `count` float32, count a multiple
;; of 4; the caller pads).
;;
;; exp(y) = 2^n * e^r with n = round(y / ln 2) and r = y - n ln 2 (ln 2 split in two parts so that
;; n ln 2 is exact enough), |r| <= ln(2)/2; e^r by its Taylor polynomial to degree 7 (truncation
;; below 1e-8 relative), 2^n built in the exponent bits. Relative error about 2e-7 (a few float32
;; roundings). y is clamped to [-87.3, 88.3] before that, so the bits never overflow; y below the
;; clamp gives 0 (exp(-87.3) is near the smallest normal float32), y above it +Infinity (float32
;; overflows at 88.72), NaN stays NaN.
;;
;; Written with the instructions that are one x86-64 instruction each in V8: the clamp with
;; f32x4.pmax/pmin (`a < b ? b : a`; NaN passes through) rather than f32x4.max/min (about eight
;; instructions each for their NaN and -0 rules), and n rounded by adding 1.5 x 2^23 (float32
;; addition rounds to the nearest integer there, ties to even like f32x4.nearest, for |n| < 2^22),
;; whose low bits are then n itself, rather than f32x4.nearest and i32x4.trunc_sat_f32x4_s.
(module
  (import "env" "memory" (memory 1))

  (func (export "expAffine") (param $values i32) (param $count i32) (param $offset f32) (param $slope f32) (param $out i32)
    (local $i i32) (local $end i32) (local $y v128) (local $clamped v128) (local $n v128) (local $r v128) (local $p v128)
    (local $offsets v128) (local $slopes v128) (local $result v128) (local $shifted v128)
    ;; Constants in locals: V8 rebuilds a v128.const at each use inside the loop.
    (local $low v128) (local $high v128) (local $log2e v128) (local $shift v128) (local $ln2High v128) (local $ln2Low v128) (local $c6 v128) (local $c7 v128) (local $c5 v128) (local $c4 v128) (local $c3 v128) (local $c2 v128) (local $one v128) (local $exponentBias v128) (local $infinity v128)
    (local.set $offsets (f32x4.splat (local.get $offset)))
    (local.set $slopes (f32x4.splat (local.get $slope)))
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (if (i32.eqz (local.get $count)) (then (return)))
    (local.set $low (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
    (local.set $high (v128.const f32x4 88.3 88.3 88.3 88.3))
    (local.set $log2e (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))
    (local.set $shift (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $ln2High (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
    (local.set $ln2Low (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))
    (local.set $c6 (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3))
    (local.set $c7 (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
    (local.set $c5 (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3))
    (local.set $c4 (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2))
    (local.set $c3 (v128.const f32x4 0.166666667 0.166666667 0.166666667 0.166666667))
    (local.set $c2 (v128.const f32x4 0.5 0.5 0.5 0.5))
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $exponentBias (v128.const i32x4 0x4b3fff81 0x4b3fff81 0x4b3fff81 0x4b3fff81))
    (local.set $infinity (v128.const f32x4 inf inf inf inf))
    (loop $each
      (local.set $y (f32x4.add (local.get $offsets)
        (f32x4.mul (local.get $slopes) (v128.load (i32.add (local.get $values) (local.get $i))))))
      (local.set $clamped (f32x4.pmin (f32x4.pmax (local.get $y) (local.get $low))
        (local.get $high)))
      ;; n = round(y / ln 2): shifted = y / ln 2 + 1.5 x 2^23 holds n in its low mantissa bits
      (local.set $shifted (f32x4.add (f32x4.mul (local.get $clamped)
        (local.get $log2e))
        (local.get $shift)))
      (local.set $n (f32x4.sub (local.get $shifted) (local.get $shift)))
      ;; r = y - n ln 2, with ln 2 = 0.693359375 (exact in float32) - 2.12194440e-4
      (local.set $r (f32x4.sub (local.get $clamped)
        (f32x4.mul (local.get $n) (local.get $ln2High))))
      (local.set $r (f32x4.add (local.get $r)
        (f32x4.mul (local.get $n) (local.get $ln2Low))))
      ;; e^r = 1 + r (1 + r (1/2 + r (1/6 + r (1/24 + r (1/120 + r (1/720 + r / 5040))))))
      (local.set $p (f32x4.add (local.get $c6)
        (f32x4.mul (local.get $r) (local.get $c7))))
      (local.set $p (f32x4.add (local.get $c5)
        (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (local.get $c4)
        (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (local.get $c3)
        (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (local.get $c2) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (local.get $p))))
      ;; times 2^n: (n + 127) << 23 are the bits of 2^n for -126 <= n <= 127; the bits of shifted are
      ;; those of 1.5 x 2^23 (0x4b400000) plus n, so n + 127 = bits - 0x4b400000 + 127 = bits - 0x4b3fff81
      (local.set $result (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.sub (local.get $shifted) (local.get $exponentBias)) (i32.const 23))))
      ;; Outside the clamp: 0 below (the lanes cleared), +Infinity above (NaN fails both tests and
      ;; stays NaN from the pmin/pmax).
      (local.set $result (v128.andnot (local.get $result) (f32x4.lt (local.get $y) (local.get $low))))
      (local.set $result (v128.bitselect (local.get $infinity) (local.get $result)
        (f32x4.gt (local.get $y) (local.get $high))))
      (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $result))
      (br_if $each (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end))))))
