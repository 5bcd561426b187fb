;; The reductions after a similarity scan, on data already in WebAssembly memory: the largest value,
;; and weighted sums of per-source weights into bins.
;;
;; Assembled by `npx tsx scripts/build-wasm.ts` into weighted-bins.wasm.ts; used by
;; src/core/exp-weighted-bins.ts, which owns the memory (an Int8VectorIndex's, shared) and its layout.
;; All pointers are byte addresses.
(module
  (import "env" "memory" (memory 1))

  ;; max over i < count of values[i] + bias[i] (float32; bias 0 for a counted value, -Infinity for one
  ;; left out), or of values[i] alone when bias is 0 (the address). -Infinity when count is 0. NaN
  ;; values are skipped, as JavaScript's `if (value > best) best = value` does: f32x4.pmax
  ;; (`best < value ? value : best`, one maxps on x86-64) rather than f32x4.max, whose NaN and -0
  ;; rules cost V8 about eight instructions.
  (func (export "maxOf") (param $values i32) (param $bias i32) (param $count i32) (result f32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $best v128) (local $result f32) (local $value f32)
    (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (if (local.get $vectorEnd) (then
      (if (i32.eqz (local.get $bias))
        (then
          (loop $plain
            (local.set $best (f32x4.pmax (local.get $best) (v128.load (i32.add (local.get $values) (local.get $i)))))
            (br_if $plain (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vectorEnd)))))
        (else
          (loop $masked
            (local.set $best (f32x4.pmax (local.get $best)
              (f32x4.add (v128.load (i32.add (local.get $values) (local.get $i))) (v128.load (i32.add (local.get $bias) (local.get $i))))))
            (br_if $masked (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vectorEnd))))))))
    ;; Lanes hold -Infinity or a number (never NaN), so f32.max is the plain max here.
    (local.set $result
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $best)) (f32x4.extract_lane 1 (local.get $best)))
        (f32.max (f32x4.extract_lane 2 (local.get $best)) (f32x4.extract_lane 3 (local.get $best)))))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $value (f32.load (i32.add (local.get $values) (local.get $i))))
        (if (local.get $bias) (then
          (local.set $value (f32.add (local.get $value) (f32.load (i32.add (local.get $bias) (local.get $i)))))))
        (if (f32.gt (local.get $value) (local.get $result)) (then (local.set $result (local.get $value))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (local.get $result))

  ;; out[b] = sum over entries e of bin b of amounts[e] * weights[source e] (float64, in entry order),
  ;; for b < binCount. Entries are grouped by bin: bin b holds entries binEnds[b - 1] (0 for b = 0)
  ;; to binEnds[b] - 1 (uint32). sourceOffsets[e] is 4 x the source index (a byte offset into the
  ;; float32 weights); amounts are float32 (the product of two float32 is exact in float64, so only
  ;; the sum rounds).
  (func (export "binSums")
    (param $weights i32) (param $sourceOffsets i32) (param $amounts i32) (param $binEnds i32) (param $binCount i32) (param $out i32)
    (local $b i32) (local $e i32) (local $end i32) (local $sum f64)
    (if (i32.eqz (local.get $binCount)) (then (return)))
    (loop $bins
      (local.set $end (i32.load (i32.add (local.get $binEnds) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $sum (f64.const 0))
      (block $done
        (loop $entries
          (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
          (local.set $sum (f64.add (local.get $sum)
            (f64.mul
              (f64.promote_f32 (f32.load (i32.add (local.get $amounts) (i32.shl (local.get $e) (i32.const 2)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $weights)
                (i32.load (i32.add (local.get $sourceOffsets) (i32.shl (local.get $e) (i32.const 2))))))))))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $entries)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))) (local.get $sum))
      (br_if $bins (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $binCount))))))
