;; A matrix product of int16-quantised rows with int16-quantised, pre-packed weights, with WebAssembly
;; SIMD, for the USE-lite forward pass (src/core/use-lite-int16.ts).
;;
;; Assembled by `npx tsx scripts/build-wasm.ts` into int16-gemm.wasm.ts; src/core/int16-matrix.ts
;; owns the memory (all offsets are byte addresses in the imported memory):
;;
;;   a         m x k int16 codes (k even; m a multiple of 4) in groups of 4 rows: for each pair of
;;             columns (2j, 2j+1), the 4 rows' codes [a(r,2j) a(r,2j+1)], 16 bytes per pair (as
;;             quantizeRows writes them), so one pointer and constant offsets reach all 4 rows
;;   aScales   m float32: each row's quantisation step
;;   w         the k x n weight codes in panels of 8 columns (n a multiple of 8): panel p holds, for
;;             each pair of rows (2j, 2j+1), 16 codes [w(2j,c) w(2j+1,c)] for columns c = 8p..8p+3,
;;             then 16 for columns 8p+4..8p+7 (k x 16 bytes per panel)
;;   wScales   n float32: each column's quantisation step
;;   bias      n float32
;;   out       m rows of `outStride` float32; columns 0..n-1 are written
;;
;; out[r][c] = (sum_k a[r][k] w[k][c]) * aScales[r] * wScales[c] + bias[c], plus the old out[r][c]
;; when `mode` has bit 2 (a residual connection), then max(0, .) when it has bit 1 (ReLU). The
;; integer sums are exact in i32: the caller bounds |a| * |w| * k below 2^31.
;;
;; One i32x4.dot_i16x8_s does eight multiply-adds: a pair of a row's codes (one 32-bit load,
;; splat) against the interleaved pairs of four columns. A tile of 4 rows x 8 columns keeps eight
;; accumulators, two weight vectors and one splat in registers (x86-64 has 16). Rows are taken in
;; blocks of `block` rows: every panel of weights (k x 16 bytes, <= 24 KiB, stays in L1) is run
;; over a block's rows (which stay in L2) before the next block, so the weights are read from
;; memory once per block.
(module
  (import "env" "memory" (memory 1))

  ;; Scales and biases one accumulator of 4 columns, adds what `at` holds (mode bit 2), clamps at 0
  ;; (mode bit 1) and stores it.
  (func $finish (param $sum v128) (param $scale v128) (param $bias v128) (param $mode i32) (param $at i32)
    (local $value v128)
    (local.set $value (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (local.get $sum)) (local.get $scale)) (local.get $bias)))
    (if (i32.and (local.get $mode) (i32.const 2)) (then (local.set $value (f32x4.add (local.get $value) (v128.load (local.get $at))))))
    (if (i32.and (local.get $mode) (i32.const 1)) (then (local.set $value (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $value)))))
    (v128.store (local.get $at) (local.get $value)))

  (func (export "gemm")
    (param $a i32) (param $m i32) (param $k i32) (param $aScales i32)
    (param $w i32) (param $n i32) (param $wScales i32) (param $bias i32)
    (param $out i32) (param $outStride i32) (param $mode i32) (param $block i32)
    (local $blockStart i32) (local $blockEnd i32) (local $column i32) (local $r i32)
    (local $rowBytes i32) (local $outRowBytes i32) (local $panel i32) (local $weights i32)
    (local $row0 i32) (local $row1 i32)
    (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local $scale0 v128) (local $scale1 v128) (local $bias0 v128) (local $bias1 v128) (local $rowScale v128) (local $at i32)
    (if (i32.or (i32.eqz (local.get $m)) (i32.or (i32.eqz (local.get $n)) (i32.eqz (local.get $k)))) (then (return)))
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 1)))
    (local.set $outRowBytes (i32.shl (local.get $outStride) (i32.const 2)))
    (loop $blocks
      (local.set $blockEnd (i32.add (local.get $blockStart) (local.get $block)))
      (if (i32.gt_u (local.get $blockEnd) (local.get $m)) (then (local.set $blockEnd (local.get $m))))
      (local.set $column (i32.const 0))
      (loop $panels
        (local.set $panel (i32.add (local.get $w) (i32.mul (local.get $column) (local.get $rowBytes))))
        (local.set $scale0 (v128.load (i32.add (local.get $wScales) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $scale1 (v128.load offset=16 (i32.add (local.get $wScales) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $bias0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $bias1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $r (local.get $blockStart))
        (loop $rows
          (local.set $row0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $rowBytes))))
          (local.set $row1 (i32.add (local.get $row0) (i32.shl (local.get $rowBytes) (i32.const 2))))
          (local.set $s0 (v128.const i32x4 0 0 0 0))
          (local.set $s1 (v128.const i32x4 0 0 0 0))
          (local.set $s2 (v128.const i32x4 0 0 0 0))
          (local.set $s3 (v128.const i32x4 0 0 0 0))
          (local.set $s4 (v128.const i32x4 0 0 0 0))
          (local.set $s5 (v128.const i32x4 0 0 0 0))
          (local.set $s6 (v128.const i32x4 0 0 0 0))
          (local.set $s7 (v128.const i32x4 0 0 0 0))
          (local.set $weights (local.get $panel))
          ;; $row0 walks the 4 rows' interleaved pairs (16 bytes per pair of codes) up to $row1.
          (loop $pairs
            (local.set $w0 (v128.load (local.get $weights)))
            (local.set $w1 (v128.load offset=16 (local.get $weights)))
            (local.set $x (v128.load32_splat (local.get $row0)))
            (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (local.get $x) (local.get $w0))))
            (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s (local.get $x) (local.get $w1))))
            (local.set $x (v128.load32_splat offset=4 (local.get $row0)))
            (local.set $s2 (i32x4.add (local.get $s2) (i32x4.dot_i16x8_s (local.get $x) (local.get $w0))))
            (local.set $s3 (i32x4.add (local.get $s3) (i32x4.dot_i16x8_s (local.get $x) (local.get $w1))))
            (local.set $x (v128.load32_splat offset=8 (local.get $row0)))
            (local.set $s4 (i32x4.add (local.get $s4) (i32x4.dot_i16x8_s (local.get $x) (local.get $w0))))
            (local.set $s5 (i32x4.add (local.get $s5) (i32x4.dot_i16x8_s (local.get $x) (local.get $w1))))
            (local.set $x (v128.load32_splat offset=12 (local.get $row0)))
            (local.set $s6 (i32x4.add (local.get $s6) (i32x4.dot_i16x8_s (local.get $x) (local.get $w0))))
            (local.set $s7 (i32x4.add (local.get $s7) (i32x4.dot_i16x8_s (local.get $x) (local.get $w1))))
            (local.set $weights (i32.add (local.get $weights) (i32.const 32)))
            (br_if $pairs (i32.lt_u (local.tee $row0 (i32.add (local.get $row0) (i32.const 16))) (local.get $row1))))
          (local.set $at (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outRowBytes))) (i32.shl (local.get $column) (i32.const 2))))
          (local.set $rowScale (f32x4.splat (f32.load (i32.add (local.get $aScales) (i32.shl (local.get $r) (i32.const 2))))))
          (call $finish (local.get $s0) (f32x4.mul (local.get $rowScale) (local.get $scale0)) (local.get $bias0) (local.get $mode) (local.get $at))
          (call $finish (local.get $s1) (f32x4.mul (local.get $rowScale) (local.get $scale1)) (local.get $bias1) (local.get $mode) (i32.add (local.get $at) (i32.const 16)))
          (local.set $at (i32.add (local.get $at) (local.get $outRowBytes)))
          (local.set $rowScale (f32x4.splat (f32.load offset=4 (i32.add (local.get $aScales) (i32.shl (local.get $r) (i32.const 2))))))
          (call $finish (local.get $s2) (f32x4.mul (local.get $rowScale) (local.get $scale0)) (local.get $bias0) (local.get $mode) (local.get $at))
          (call $finish (local.get $s3) (f32x4.mul (local.get $rowScale) (local.get $scale1)) (local.get $bias1) (local.get $mode) (i32.add (local.get $at) (i32.const 16)))
          (local.set $at (i32.add (local.get $at) (local.get $outRowBytes)))
          (local.set $rowScale (f32x4.splat (f32.load offset=8 (i32.add (local.get $aScales) (i32.shl (local.get $r) (i32.const 2))))))
          (call $finish (local.get $s4) (f32x4.mul (local.get $rowScale) (local.get $scale0)) (local.get $bias0) (local.get $mode) (local.get $at))
          (call $finish (local.get $s5) (f32x4.mul (local.get $rowScale) (local.get $scale1)) (local.get $bias1) (local.get $mode) (i32.add (local.get $at) (i32.const 16)))
          (local.set $at (i32.add (local.get $at) (local.get $outRowBytes)))
          (local.set $rowScale (f32x4.splat (f32.load offset=12 (i32.add (local.get $aScales) (i32.shl (local.get $r) (i32.const 2))))))
          (call $finish (local.get $s6) (f32x4.mul (local.get $rowScale) (local.get $scale0)) (local.get $bias0) (local.get $mode) (local.get $at))
          (call $finish (local.get $s7) (f32x4.mul (local.get $rowScale) (local.get $scale1)) (local.get $bias1) (local.get $mode) (i32.add (local.get $at) (i32.const 16)))
          (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $blockEnd))))
        (br_if $panels (i32.lt_u (local.tee $column (i32.add (local.get $column) (i32.const 8))) (local.get $n))))
      (local.set $blockStart (local.get $blockEnd))
      (br_if $blocks (i32.lt_u (local.get $blockStart) (local.get $m)))))

  ;; Quantises m rows of k float32 (k a multiple of 8; rows `srcStride` floats apart) into int16
  ;; codes at `dst`, laid out as `gemm` reads `a` (groups of 4 rows, pairs interleaved): code = nearest(x / step) with step = max|x| / limit per
  ;; row, stored at `scales` (0 for a zero row, whose codes are all 0).
  (func (export "quantizeRows")
    (param $src i32) (param $m i32) (param $k i32) (param $srcStride i32) (param $dst i32) (param $scales i32) (param $limit f32)
    (local $r i32) (local $row i32) (local $end i32) (local $at i32) (local $out i32) (local $largest v128) (local $max f32)
    (local $inverse v128) (local $codes v128)
    (if (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $k))) (then (return)))
    (loop $rows
      (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $srcStride)) (i32.const 2))))
      (local.set $end (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 2))))
      (local.set $largest (v128.const f32x4 0 0 0 0))
      (local.set $at (local.get $row))
      (loop $scan
        (local.set $largest (f32x4.pmax (local.get $largest) (f32x4.abs (v128.load (local.get $at)))))
        (br_if $scan (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end))))
      (local.set $max (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $largest)) (f32x4.extract_lane 1 (local.get $largest)))
        (f32.max (f32x4.extract_lane 2 (local.get $largest)) (f32x4.extract_lane 3 (local.get $largest)))))
      (if (f32.gt (local.get $max) (f32.const 0))
        (then
          (f32.store (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2))) (f32.div (local.get $max) (local.get $limit)))
          (local.set $inverse (f32x4.splat (f32.div (local.get $limit) (local.get $max)))))
        (else
          (f32.store (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2))) (f32.const 0))
          (local.set $inverse (v128.const f32x4 0 0 0 0))))
      ;; Row r's group of 4 rows starts at (r - r % 4) * k codes; its pairs are 16 bytes apart.
      (local.set $out (i32.add (i32.add (local.get $dst) (i32.shl (i32.mul (i32.and (local.get $r) (i32.const -4)) (local.get $k)) (i32.const 1)))
        (i32.shl (i32.and (local.get $r) (i32.const 3)) (i32.const 2))))
      (local.set $at (local.get $row))
      (loop $convert
        (local.set $codes
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (local.get $at)) (local.get $inverse))))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=16 (local.get $at)) (local.get $inverse))))))
        (v128.store32_lane 0 (local.get $out) (local.get $codes))
        (v128.store32_lane offset=16 1 (local.get $out) (local.get $codes))
        (v128.store32_lane offset=32 2 (local.get $out) (local.get $codes))
        (v128.store32_lane offset=48 3 (local.get $out) (local.get $codes))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br_if $convert (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 32))) (local.get $end))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $m)))))

  ;; Largest |value| of each of `columns` columns (a multiple of 4) of a rows x columns float32
  ;; matrix (rows `rowStride` floats apart), stored as float32 at `out`.
  (func (export "columnMaxima") (param $src i32) (param $rows i32) (param $columns i32) (param $rowStride i32) (param $out i32)
    (local $r i32) (local $c i32) (local $row i32) (local $columnBytes i32)
    (local.set $columnBytes (i32.shl (local.get $columns) (i32.const 2)))
    (if (i32.eqz (local.get $columns)) (then (return)))
    (loop $clear
      (v128.store (i32.add (local.get $out) (local.get $c)) (v128.const f32x4 0 0 0 0))
      (br_if $clear (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $columnBytes))))
    (if (i32.eqz (local.get $rows)) (then (return)))
    (loop $rowLoop
      (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $rowStride)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (loop $columnLoop
        (v128.store (i32.add (local.get $out) (local.get $c))
          (f32x4.pmax (v128.load (i32.add (local.get $out) (local.get $c))) (f32x4.abs (v128.load (i32.add (local.get $row) (local.get $c))))))
        (br_if $columnLoop (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $columnBytes))))
      (br_if $rowLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; Packs a rows x columns float32 matrix (columns a multiple of 8; rows `rowStride` floats apart)
  ;; into the weight layout of `gemm` at `dst` for k rows (k >= rows, even): code = nearest(value *
  ;; inverses[column]). Each pair of rows becomes, per 4 columns, one i32 per column holding the
  ;; first row's code in its low half and the second's in its high half; a missing second row (odd
  ;; `rows`) is 0. Rows from `rows` to k are left as they are (the caller zeroes them).
  (func (export "packRows") (param $src i32) (param $rows i32) (param $columns i32) (param $rowStride i32) (param $inverses i32) (param $dst i32) (param $k i32)
    (local $r i32) (local $c i32) (local $first i32) (local $second i32) (local $panel i32) (local $columnBytes i32)
    (local $low v128) (local $high v128) (local $inverse v128) (local $mask v128)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $columns))) (then (return)))
    (local.set $columnBytes (i32.shl (local.get $columns) (i32.const 2)))
    (local.set $mask (v128.const i32x4 0xffff 0xffff 0xffff 0xffff))
    (loop $pairs
      (local.set $first (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $rowStride)) (i32.const 2))))
      (local.set $second (i32.add (local.get $first) (i32.shl (local.get $rowStride) (i32.const 2))))
      (local.set $c (i32.const 0))
      (loop $quads
        ;; Column c (bytes / 4) lies in panel c / 8 (k x 16 bytes each), half (c / 4) % 2.
        (local.set $panel (i32.add (local.get $dst)
          (i32.add
            (i32.add (i32.mul (i32.shr_u (local.get $c) (i32.const 5)) (i32.shl (local.get $k) (i32.const 4))) (i32.shl (local.get $r) (i32.const 4)))
            (i32.and (local.get $c) (i32.const 16)))))
        (local.set $inverse (v128.load (i32.add (local.get $inverses) (local.get $c))))
        (local.set $low (v128.and (local.get $mask)
          (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (i32.add (local.get $first) (local.get $c))) (local.get $inverse))))))
        (if (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))
          (then (local.set $high (i32x4.shl
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (i32.add (local.get $second) (local.get $c))) (local.get $inverse))))
            (i32.const 16))))
          (else (local.set $high (v128.const i32x4 0 0 0 0))))
        (v128.store (local.get $panel) (v128.or (local.get $low) (local.get $high)))
        (br_if $quads (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $columnBytes))))
      (br_if $pairs (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 2))) (local.get $rows)))))

  ;; Layer normalisation of m rows of `width` float32 (a multiple of 4): dst = (x - mean) /
  ;; sqrt(variance + epsilon) * scale + bias, rows `width` floats apart in both.
  (func (export "layerNorm") (param $src i32) (param $m i32) (param $width i32) (param $scale i32) (param $bias i32) (param $epsilon f32) (param $dst i32)
    (local $r i32) (local $c i32) (local $row i32) (local $out i32) (local $bytes i32) (local $sum v128) (local $mean v128) (local $centered v128)
    (local $total f32) (local $inverse v128)
    (if (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $width))) (then (return)))
    (local.set $bytes (i32.shl (local.get $width) (i32.const 2)))
    (loop $rows
      (local.set $row (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $sum (v128.const f32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (loop $sums
        (local.set $sum (f32x4.add (local.get $sum) (v128.load (i32.add (local.get $row) (local.get $c)))))
        (br_if $sums (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $bytes))))
      (local.set $total (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
        (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
      (local.set $mean (f32x4.splat (f32.div (local.get $total) (f32.convert_i32_u (local.get $width)))))
      (local.set $sum (v128.const f32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (loop $squares
        (local.set $centered (f32x4.sub (v128.load (i32.add (local.get $row) (local.get $c))) (local.get $mean)))
        (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (local.get $centered) (local.get $centered))))
        (br_if $squares (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $bytes))))
      (local.set $total (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
        (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
      (local.set $inverse (f32x4.splat (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (local.get $total) (f32.convert_i32_u (local.get $width))) (local.get $epsilon))))))
      (local.set $c (i32.const 0))
      (loop $scaled
        (v128.store (i32.add (local.get $out) (local.get $c))
          (f32x4.add
            (f32x4.mul
              (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $row) (local.get $c))) (local.get $mean)) (local.get $inverse))
              (v128.load (i32.add (local.get $scale) (local.get $c))))
            (v128.load (i32.add (local.get $bias) (local.get $c)))))
        (br_if $scaled (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $bytes))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $m))))))
