/**
 * A register-blocked tiled GEMM in WGSL whose operands are read through functions, so one kernel serves
 * every convolution as an implicit GEMM (no im2col buffer): C[m, n] = sum_k A(z, m, k) B(z, k, n).
 * `z` is the third workgroup dimension: a split-K slice for the filter gradient, a stride phase for the
 * input gradient. Each workgroup (16 x 16 threads) computes a TM x TN tile with TK-deep slices of A and
 * B staged in workgroup memory; each thread owns (TM/16) x (TN/16) outputs, strided by 16 so that reads
 * of the staged tiles and writes of C are contiguous across neighbouring threads.
 */

/**
 * Output tile per workgroup and depth of one staged K slice. `wide` suits N >= 32; `narrow` keeps
 * threads busy for N <= 16 (e.g. 3 RGB channels); `large` (8 x 8 outputs per thread) reuses each
 * staged value more but makes 4x fewer workgroups: for big GEMMs, chosen only on request.
 */
export type GemmTiling = 'wide' | 'narrow' | 'large';

export const GEMM_TILES: Readonly<Record<GemmTiling, { tm: number; tn: number; tk: number }>> = {
  wide: { tm: 64, tn: 64, tk: 16 },
  narrow: { tm: 128, tn: 16, tk: 16 },
  large: { tm: 128, tn: 128, tk: 8 },
};

/** K granularity of split-K slices: a multiple of every tiling's tk. */
export const GEMM_TK = 16;
const THREADS_PER_SIDE = 16;

/** How to pick tilings: by output width, or `large` wherever the output has >= 128 columns. */
export type TilingPolicy = 'auto' | 'large';

/** Picks the tiling for an output of `n` columns. */
export function gemmTilingFor(n: number, policy: TilingPolicy = 'auto'): GemmTiling {
  if (n <= 16) return 'narrow';
  return policy === 'large' && n >= 128 ? 'large' : 'wide';
}

/**
 * Operand access for one GEMM. `functions` must define, with `z : i32` the workgroup's z index (uniform):
 * `gemmM(z) -> i32`, `gemmN(z) -> i32`, `kBegin(z) -> i32`, `kEnd(z) -> i32` (uniform values: computed from
 * `uniforms` and z only), `gemmSetup(z)` (run once per workgroup, e.g. to fill `var<private>` state),
 * `infoA(z, m) -> vec4<i32>` and `infoB(z, n) -> vec4<i32>` (per-row/column decoding, hoisted out of the
 * K loop), `kTile(z, k0) -> vec4<i32>` (decoding of the K step's first index, once per step: operands
 * whose K blocks of GEMM_TK never straddle a filter tap or an image row decode only that),
 * `loadA(z, info, k, kk, kt) -> f32` and `loadB(z, k, kk, kt, info) -> f32` (k = k0 + kk, kt = kTile;
 * 0 outside the operand, e.g. in padding), `storeC(z, m, n, value)`. `aAlongM`/`bAlongN` say along which index consecutive memory lies,
 * so neighbouring threads load neighbouring addresses.
 */
export interface GemmOperands {
  readonly functions: string;
  readonly aAlongM: boolean;
  readonly bAlongN: boolean;
}

/** WGSL module code (with `fn main()`) for the GEMM over the given operands. */
export function gemmCode(tiling: GemmTiling, operands: GemmOperands): string {
  const { tm, tn, tk } = GEMM_TILES[tiling];
  const side = THREADS_PER_SIDE;
  const threads = side * side;
  const rm = tm / side;
  const rn = tn / side;
  // Staged elements of A and B each thread loads per K step.
  const aLoads = (tm * tk) / threads;
  const bLoads = (tn * tk) / threads;
  // One padding column keeps the k-major stores of along-k operands free of bank conflicts.
  const tmp = tm + 1;
  const tnp = tn + 1;
  const aIndex = operands.aAlongM
    ? `let mm = e % ${tm}; let kk = e / ${tm};`
    : `let kk = e % ${tk}; let mm = e / ${tk};`;
  const bIndex = operands.bAlongN
    ? `let nn = e % ${tn}; let kk = e / ${tn};`
    : `let kk = e % ${tk}; let nn = e / ${tk};`;
  return `
${operands.functions}

var<workgroup> wgIds : vec3<i32>;
var<workgroup> tileA : array<f32, ${tk * tmp}>;
var<workgroup> tileB : array<f32, ${tk * tnp}>;

fn main() {
  if (localIndex == 0u) { wgIds = vec3<i32>(workgroupId); }
  // Through workgroup memory the ids become uniform, so barriers may follow data-dependent exits.
  let ids = workgroupUniformLoad(&wgIds);
  let z = ids.z;
  let M = gemmM(z);
  let N = gemmN(z);
  let m0 = ids.y * ${tm};
  let n0 = ids.x * ${tn};
  if (m0 >= M || n0 >= N) { return; }
  gemmSetup(z);
  let k1 = kEnd(z);
  let tx = i32(localId.x);
  let ty = i32(localId.y);
  let lid = i32(localIndex);
  // Each thread stages the same tile positions in every K step: decode their rows/columns once.
  var aRow : array<i32, ${aLoads}>;
  var aDepth : array<i32, ${aLoads}>;
  var aInfo : array<vec4<i32>, ${aLoads}>;
  for (var r = 0; r < ${aLoads}; r++) {
    let e = lid + r * ${threads};
    ${aIndex}
    aRow[r] = mm;
    aDepth[r] = kk;
    aInfo[r] = infoA(z, m0 + mm);
  }
  var bCol : array<i32, ${bLoads}>;
  var bDepth : array<i32, ${bLoads}>;
  var bInfo : array<vec4<i32>, ${bLoads}>;
  for (var r = 0; r < ${bLoads}; r++) {
    let e = lid + r * ${threads};
    ${bIndex}
    bCol[r] = nn;
    bDepth[r] = kk;
    bInfo[r] = infoB(z, n0 + nn);
  }
  var acc : array<f32, ${rm * rn}>;
  var av : array<f32, ${rm}>;
  var bv : array<f32, ${rn}>;
  for (var k0 = kBegin(z); k0 < k1; k0 += ${tk}) {
    let kt = kTile(z, k0);
    for (var r = 0; r < ${aLoads}; r++) {
      let k = k0 + aDepth[r];
      var a = 0.0;
      if (m0 + aRow[r] < M && k < k1) { a = loadA(z, aInfo[r], k, aDepth[r], kt); }
      tileA[aDepth[r] * ${tmp} + aRow[r]] = a;
    }
    for (var r = 0; r < ${bLoads}; r++) {
      let k = k0 + bDepth[r];
      var b = 0.0;
      if (n0 + bCol[r] < N && k < k1) { b = loadB(z, k, bDepth[r], kt, bInfo[r]); }
      tileB[bDepth[r] * ${tnp} + bCol[r]] = b;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${tk}; kk++) {
      for (var i = 0; i < ${rm}; i++) { av[i] = tileA[kk * ${tmp} + ty + ${side} * i]; }
      for (var j = 0; j < ${rn}; j++) { bv[j] = tileB[kk * ${tnp} + tx + ${side} * j]; }
      for (var i = 0; i < ${rm}; i++) {
        for (var j = 0; j < ${rn}; j++) {
          acc[i * ${rn} + j] = fma(av[i], bv[j], acc[i * ${rn} + j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0; i < ${rm}; i++) {
    let m = m0 + ty + ${side} * i;
    for (var j = 0; j < ${rn}; j++) {
      let n = n0 + tx + ${side} * j;
      if (m < M && n < N) { storeC(z, m, n, acc[i * ${rn} + j]); }
    }
  }
}`;
}

/** Workgroup grid for an M x N output with `z` slices. */
export function gemmDispatch(tiling: GemmTiling, m: number, n: number, z: number): [number, number, number] {
  const { tm, tn } = GEMM_TILES[tiling];
  return [Math.ceil(n / tn), Math.ceil(m / tm), z];
}

/** Workgroup size every GEMM program uses. */
export const GEMM_WORKGROUP: [number, number, number] = [THREADS_PER_SIDE, THREADS_PER_SIDE, 1];
