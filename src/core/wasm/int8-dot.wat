;; Cosine similarities of int16-quantised queries against int8 rows, with WebAssembly SIMD.
;;
;; Assembled by `npx tsx scripts/build-wasm.ts` into int8-dot.wasm.ts (the bytes, base64); a test
;; checks that the committed bytes are this file assembled. Used by src/core/int8-vector-index.ts,
;; which owns the memory layout (all offsets are byte addresses in the imported memory):
;;
;;   rows        rowCount x stride int8 codes, each row zero-padded to `stride` (a multiple of 16)
;;   rowScales   rowCount float32: 1 / |row codes| (0 for a zero row)
;;   queries     queryCount x stride int16 codes, zero-padded like the rows
;;   queryScales queryCount float32: quantisation step / |query| (0 for a zero query)
;;   out         queryCount x rowCount float32, row-major by query
;;
;; out[q * rowCount + r] = dot(row r, query q) * rowScales[r] * queryScales[q]. The integer dot is
;; exact in i32 as long as 128 * max|query code| * stride < 2^31 (the caller picks the query scale
;; so). Rows are read in tiles of `tile` rows, and every query of the call scans a tile before the
;; next one is read, so a batch reads the rows from memory once. One row at a time with two
;; accumulators (low and high halves of each 16 codes): measured on x86-64 (V8, 100k x 512) this
;; streamed at ~27 GB/s, where two rows per iteration sharing the query loads ran at ~11 GB/s.
;; Rows are finished four at a time (lane sums added across by shuffles, one convert, scale and
;; store for four): the per-row scalar tail was ~5% of a 512-d scan. Also measured there, and no
;; faster: the dims loop unrolled 4x, and v128.load8x8_s in place of load + extend (slower, ~15%);
;; the scan is bound by the two i32x4.dot_i16x8_s and their widenings per 16 codes.
(module
  (import "env" "memory" (memory 1))

  (func (export "similarities")
    (param $rows i32) (param $rowCount i32) (param $stride i32) (param $rowScales i32)
    (param $queries i32) (param $queryCount i32) (param $queryScales i32)
    (param $out i32) (param $tile i32)
    (local $tileStart i32) (local $tileEnd i32) (local $q i32) (local $r i32) (local $k i32)
    (local $row i32) (local $query i32) (local $queryScale f32) (local $outQuery i32)
    (local $low v128) (local $high v128) (local $codes v128) (local $groupEnd i32)
    (local $sum0 v128) (local $sum1 v128) (local $sum2 v128) (local $sum3 v128)
    (if (i32.or (i32.eqz (local.get $rowCount)) (i32.eqz (local.get $queryCount))) (then (return)))
    (loop $tiles
      (local.set $tileEnd (i32.add (local.get $tileStart) (local.get $tile)))
      (if (i32.gt_u (local.get $tileEnd) (local.get $rowCount)) (then (local.set $tileEnd (local.get $rowCount))))
      (local.set $q (i32.const 0))
      (loop $queryLoop
        (local.set $query (i32.add (local.get $queries) (i32.mul (local.get $q) (i32.shl (local.get $stride) (i32.const 1)))))
        (local.set $queryScale (f32.load (i32.add (local.get $queryScales) (i32.shl (local.get $q) (i32.const 2)))))
        (local.set $outQuery (i32.add (local.get $out) (i32.shl (i32.mul (local.get $q) (local.get $rowCount)) (i32.const 2))))
        (local.set $r (local.get $tileStart))
        (local.set $row (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $stride))))
        ;; Four rows at a time: their four lane sums are added across in vector registers (a
        ;; transpose by shuffles) and scaled and stored together; the rows left over one by one.
        (local.set $groupEnd (i32.add (local.get $r) (i32.and (i32.sub (local.get $tileEnd) (local.get $r)) (i32.const -4))))
        (if (i32.lt_u (local.get $r) (local.get $groupEnd)) (then
          (loop $groups
            (local.set $low (v128.const i32x4 0 0 0 0))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $dims0
              (local.set $codes (v128.load (i32.add (local.get $row) (local.get $k))))
              (local.set $low (i32x4.add (local.get $low)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $codes))
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (local.set $high (i32x4.add (local.get $high)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $codes))
                  (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (br_if $dims0 (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
            (local.set $sum0 (i32x4.add (local.get $low) (local.get $high)))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            (local.set $low (v128.const i32x4 0 0 0 0))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $dims1
              (local.set $codes (v128.load (i32.add (local.get $row) (local.get $k))))
              (local.set $low (i32x4.add (local.get $low)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $codes))
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (local.set $high (i32x4.add (local.get $high)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $codes))
                  (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (br_if $dims1 (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
            (local.set $sum1 (i32x4.add (local.get $low) (local.get $high)))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            (local.set $low (v128.const i32x4 0 0 0 0))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $dims2
              (local.set $codes (v128.load (i32.add (local.get $row) (local.get $k))))
              (local.set $low (i32x4.add (local.get $low)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $codes))
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (local.set $high (i32x4.add (local.get $high)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $codes))
                  (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (br_if $dims2 (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
            (local.set $sum2 (i32x4.add (local.get $low) (local.get $high)))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            (local.set $low (v128.const i32x4 0 0 0 0))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $dims3
              (local.set $codes (v128.load (i32.add (local.get $row) (local.get $k))))
              (local.set $low (i32x4.add (local.get $low)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $codes))
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (local.set $high (i32x4.add (local.get $high)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $codes))
                  (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (br_if $dims3 (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
            (local.set $sum3 (i32x4.add (local.get $low) (local.get $high)))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            ;; [s0 lanes 0+2, s1 lanes 0+2, s0 lanes 1+3, s1 lanes 1+3], likewise for s2, s3; then across
            (local.set $sum0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $sum0) (local.get $sum1))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $sum0) (local.get $sum1))))
            (local.set $sum2 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $sum2) (local.get $sum3))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $sum2) (local.get $sum3))))
            (local.set $sum0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $sum0) (local.get $sum2))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $sum0) (local.get $sum2))))
            (v128.store (i32.add (local.get $outQuery) (i32.shl (local.get $r) (i32.const 2)))
              (f32x4.mul
                (f32x4.mul
                  (f32x4.convert_i32x4_s (local.get $sum0))
                  (v128.load (i32.add (local.get $rowScales) (i32.shl (local.get $r) (i32.const 2)))))
                (f32x4.splat (local.get $queryScale))))
            (br_if $groups (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $groupEnd))))))
        (if (i32.lt_u (local.get $r) (local.get $tileEnd)) (then
          (loop $rowLoop
            (local.set $low (v128.const i32x4 0 0 0 0))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $dims
              (local.set $codes (v128.load (i32.add (local.get $row) (local.get $k))))
              (local.set $low (i32x4.add (local.get $low)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $codes))
                  (v128.load (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (local.set $high (i32x4.add (local.get $high)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $codes))
                  (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $k) (i32.const 1)))))))
              (br_if $dims (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
            (local.set $low (i32x4.add (local.get $low) (local.get $high)))
            (f32.store (i32.add (local.get $outQuery) (i32.shl (local.get $r) (i32.const 2)))
              (f32.mul
                (f32.mul
                  (f32.convert_i32_s
                    (i32.add
                      (i32.add (i32x4.extract_lane 0 (local.get $low)) (i32x4.extract_lane 1 (local.get $low)))
                      (i32.add (i32x4.extract_lane 2 (local.get $low)) (i32x4.extract_lane 3 (local.get $low)))))
                  (f32.load (i32.add (local.get $rowScales) (i32.shl (local.get $r) (i32.const 2)))))
                (local.get $queryScale)))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            (br_if $rowLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $tileEnd))))))
        (br_if $queryLoop (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $queryCount))))
      (local.set $tileStart (local.get $tileEnd))
      (br_if $tiles (i32.lt_u (local.get $tileStart) (local.get $rowCount))))))
