import type * as tf from '@tensorflow/tfjs';
import { GEMM_TK, GEMM_WORKGROUP, gemmCode, gemmDispatch, gemmTilingFor, type TilingPolicy } from './gemm.js';
import { FLAT_WORKGROUP_ID, grid2d, type ProgramSpec, type ProgramUniform } from './program.js';

/**
 * The three convolutions of training as implicit GEMMs over NHWC input and [kH, kW, inC, outC] filters
 * (dilation 1), from tfjs's Conv2DInfo (which has already resolved 'same'/'valid'/explicit padding):
 * - forward: M = output pixels, N = outC, K = kH*kW*inC;
 * - filter gradient: M = kH*kW*inC, N = outC, K = output pixels, split into slices (split-K) when the
 *   output has few tiles, then one reduction;
 * - input gradient (also conv2dTranspose's forward): one GEMM per stride phase (the input pixels with
 *   ih % strideH = rh, iw % strideW = rw), which reads only the filter taps that reach that phase
 *   instead of testing every tap for a stride hit.
 */

type ConvInfo = tf.backend_util.Conv2DInfo;
type Built = { spec: ProgramSpec; uniforms: ProgramUniform[] };

const CONV_UNIFORMS =
  'batch : i32, inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outC : i32, kH : i32, kW : i32, ' +
  'strideH : i32, strideW : i32, padTop : i32, padLeft : i32, kSlice : i32,';

function convUniforms(c: ConvInfo, kSlice: number): ProgramUniform[] {
  return [
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.padInfo.top,
    c.padInfo.left,
    kSlice,
  ].map((v) => ({ type: 'int32', data: [v] }));
}

/** WGSL reading x at (b, ih, iw, ci), 0 in the padding. */
const READ_X = `
fn readX(b : i32, ih : i32, iw : i32, ci : i32) -> f32 {
  if (ih < 0 || ih >= uniforms.inH || iw < 0 || iw >= uniforms.inW) { return 0.0; }
  return x[((b * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + ci];
}`;

/** Forward convolution y = conv(x, W) as one GEMM. */
export function convForwardProgram(c: ConvInfo, policy: TilingPolicy = 'auto'): Built {
  const m = c.batchSize * c.outHeight * c.outWidth;
  const tiling = gemmTilingFor(c.outChannels, policy);
  const aligned = c.inChannels % GEMM_TK === 0;
  const functions = `${READ_X}
fn gemmM(z : i32) -> i32 { return uniforms.batch * uniforms.outH * uniforms.outW; }
fn gemmN(z : i32) -> i32 { return uniforms.outC; }
fn kBegin(z : i32) -> i32 { return 0; }
fn kEnd(z : i32) -> i32 { return uniforms.kH * uniforms.kW * uniforms.inC; }
fn gemmSetup(z : i32) {}
// Output pixel m -> (b, top input row, left input column) of its receptive field.
fn infoA(z : i32, m : i32) -> vec4<i32> {
  let t = m / uniforms.outW;
  return vec4<i32>(t / uniforms.outH, (t % uniforms.outH) * uniforms.strideH - uniforms.padTop,
                   (m % uniforms.outW) * uniforms.strideW - uniforms.padLeft, 0);
}
${
  aligned
    ? `// inC % ${GEMM_TK} == 0: a K step stays within one tap; decode it once.
fn kTile(z : i32, k0 : i32) -> vec4<i32> {
  let tap = k0 / uniforms.inC;
  return vec4<i32>(tap / uniforms.kW, tap % uniforms.kW, k0 % uniforms.inC, 0);
}
fn loadA(z : i32, info : vec4<i32>, k : i32, kk : i32, kt : vec4<i32>) -> f32 {
  return readX(info.x, info.y + kt.x, info.z + kt.y, kt.z + kk);
}`
    : `fn kTile(z : i32, k0 : i32) -> vec4<i32> { return vec4<i32>(0); }
fn loadA(z : i32, info : vec4<i32>, k : i32, kk : i32, kt : vec4<i32>) -> f32 {
  let tap = k / uniforms.inC;
  return readX(info.x, info.y + tap / uniforms.kW, info.z + tap % uniforms.kW, k % uniforms.inC);
}`
}
fn infoB(z : i32, n : i32) -> vec4<i32> { return vec4<i32>(n, 0, 0, 0); }
fn loadB(z : i32, k : i32, kk : i32, kt : vec4<i32>, info : vec4<i32>) -> f32 {
  return W[k * uniforms.outC + info.x];
}
fn storeC(z : i32, m : i32, n : i32, value : f32) { result[m * uniforms.outC + n] = value; }`;
  return {
    spec: {
      key: `HfConvForward_${tiling}_${aligned ? 'aligned' : 'any'}`,
      inputs: ['x', 'W'],
      outputShape: c.outShape,
      workgroupSize: GEMM_WORKGROUP,
      dispatch: gemmDispatch(tiling, m, c.outChannels, 1),
      uniforms: CONV_UNIFORMS,
      code: gemmCode(tiling, { functions, aAlongM: false, bAlongN: true }),
    },
    uniforms: convUniforms(c, 0),
  };
}

/** Workgroups the split-K filter gradient aims for (a large GPU has ~100+ compute units). */
const TARGET_WORKGROUPS = 256;
/** Fewest K elements per slice, so slices do enough work to amortise the reduction. */
const MIN_K_PER_SLICE = 512;
const MAX_SLICES = 64;

/** How the filter gradient's K (output pixels) is sliced: slice count and K per slice (multiple of TK). */
export function filterGradSlices(
  c: ConvInfo,
  policy: TilingPolicy = 'auto',
): { slices: number; kPerSlice: number } {
  const m = c.filterHeight * c.filterWidth * c.inChannels;
  const k = c.batchSize * c.outHeight * c.outWidth;
  const tiling = gemmTilingFor(c.outChannels, policy);
  const [tilesN, tilesM] = gemmDispatch(tiling, m, c.outChannels, 1);
  const wanted = Math.ceil(TARGET_WORKGROUPS / (tilesN * tilesM));
  const slices0 = Math.max(1, Math.min(wanted, MAX_SLICES, Math.floor(k / MIN_K_PER_SLICE)));
  const kPerSlice = Math.ceil(Math.ceil(k / slices0) / GEMM_TK) * GEMM_TK;
  return { slices: Math.ceil(k / kPerSlice), kPerSlice };
}

/**
 * Filter gradient dW = sum over output pixels of x-patch (outer) dy. With several slices the output is
 * [slices, kH*kW*inC*outC] partial sums for `sumSlicesProgram`; with one it is the filter shape.
 */
export function convFilterGradProgram(c: ConvInfo, policy: TilingPolicy = 'auto'): Built {
  const { slices, kPerSlice } = filterGradSlices(c, policy);
  const m = c.filterHeight * c.filterWidth * c.inChannels;
  const tiling = gemmTilingFor(c.outChannels, policy);
  const aligned = c.outWidth % GEMM_TK === 0;
  const functions = `${READ_X}
fn gemmM(z : i32) -> i32 { return uniforms.kH * uniforms.kW * uniforms.inC; }
fn gemmN(z : i32) -> i32 { return uniforms.outC; }
fn kBegin(z : i32) -> i32 { return z * uniforms.kSlice; }
fn kEnd(z : i32) -> i32 {
  return min(uniforms.batch * uniforms.outH * uniforms.outW, (z + 1) * uniforms.kSlice);
}
fn gemmSetup(z : i32) {}
// Filter row m -> (kh - padTop, kw - padLeft, ci).
fn infoA(z : i32, m : i32) -> vec4<i32> {
  let tap = m / uniforms.inC;
  return vec4<i32>(tap / uniforms.kW - uniforms.padTop, tap % uniforms.kW - uniforms.padLeft,
                   m % uniforms.inC, 0);
}
${
  aligned
    ? `// outW % ${GEMM_TK} == 0: a K step stays within one output row; decode it once.
fn kTile(z : i32, k0 : i32) -> vec4<i32> {
  let t = k0 / uniforms.outW;
  return vec4<i32>(t / uniforms.outH, (t % uniforms.outH) * uniforms.strideH, k0 % uniforms.outW, 0);
}
fn loadA(z : i32, info : vec4<i32>, k : i32, kk : i32, kt : vec4<i32>) -> f32 {
  return readX(kt.x, kt.y + info.x, (kt.z + kk) * uniforms.strideW + info.y, info.z);
}`
    : `fn kTile(z : i32, k0 : i32) -> vec4<i32> { return vec4<i32>(0); }
fn loadA(z : i32, info : vec4<i32>, k : i32, kk : i32, kt : vec4<i32>) -> f32 {
  let t = k / uniforms.outW;
  return readX(t / uniforms.outH, (t % uniforms.outH) * uniforms.strideH + info.x,
               (k % uniforms.outW) * uniforms.strideW + info.y, info.z);
}`
}
fn infoB(z : i32, n : i32) -> vec4<i32> { return vec4<i32>(n, 0, 0, 0); }
fn loadB(z : i32, k : i32, kk : i32, kt : vec4<i32>, info : vec4<i32>) -> f32 {
  return dy[k * uniforms.outC + info.x];
}
fn storeC(z : i32, m : i32, n : i32, value : f32) {
  result[(z * gemmM(z) + m) * uniforms.outC + n] = value;
}`;
  const filterShape = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  return {
    spec: {
      key: `HfConvFilterGrad_${tiling}_${aligned ? 'aligned' : 'any'}`,
      inputs: ['x', 'dy'],
      outputShape: slices === 1 ? filterShape : [slices, m * c.outChannels],
      workgroupSize: GEMM_WORKGROUP,
      dispatch: gemmDispatch(tiling, m, c.outChannels, slices),
      uniforms: CONV_UNIFORMS,
      code: gemmCode(tiling, { functions, aAlongM: true, bAlongN: true }),
    },
    uniforms: convUniforms(c, kPerSlice),
  };
}

const SUM_WG = 256;

/** Sums [slices, size] partials into `outputShape` (size elements). */
export function sumSlicesProgram(slices: number, outputShape: readonly number[]): Built {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    spec: {
      key: 'HfSumSlices',
      inputs: ['partial'],
      outputShape,
      workgroupSize: [SUM_WG, 1, 1],
      dispatch: grid2d(size / SUM_WG),
      uniforms: 'slices : i32, sliceSize : i32,',
      code: `
fn main() {
  let i = ${FLAT_WORKGROUP_ID} * ${SUM_WG} + i32(localIndex);
  if (i >= uniforms.sliceSize) { return; }
  var total = 0.0;
  for (var s = 0; s < uniforms.slices; s++) { total += partial[s * uniforms.sliceSize + i]; }
  result[i] = total;
}`,
    },
    uniforms: [
      { type: 'int32', data: [slices] },
      { type: 'int32', data: [size] },
    ],
  };
}

/**
 * Input gradient dx = conv^T(dy, W), one GEMM per stride phase (z = rh * strideW + rw). In phase rh the
 * taps that reach input rows ih = rh + strideH * i are kh = kh0 + strideH * th with
 * kh0 = (rh + padTop) % strideH, read from output row oh = i + (rh + padTop - kh0) / strideH - th.
 */
export function convInputGradProgram(c: ConvInfo, policy: TilingPolicy = 'auto'): Built {
  const phases = c.strideHeight * c.strideWidth;
  const rowsMax = Math.ceil(c.inHeight / c.strideHeight);
  const colsMax = Math.ceil(c.inWidth / c.strideWidth);
  const m = c.batchSize * rowsMax * colsMax;
  const tiling = gemmTilingFor(c.inChannels, policy);
  const aligned = c.outChannels % GEMM_TK === 0;
  const functions = `
struct Phase { rh : i32, rw : i32, rows : i32, cols : i32, kh0 : i32, kw0 : i32, tapsH : i32, tapsW : i32, qh : i32, qw : i32 };
fn phaseOf(z : i32) -> Phase {
  var p : Phase;
  p.rh = z / uniforms.strideW;
  p.rw = z % uniforms.strideW;
  p.rows = (uniforms.inH - p.rh + uniforms.strideH - 1) / uniforms.strideH;
  p.cols = (uniforms.inW - p.rw + uniforms.strideW - 1) / uniforms.strideW;
  p.kh0 = (p.rh + uniforms.padTop) % uniforms.strideH;
  p.kw0 = (p.rw + uniforms.padLeft) % uniforms.strideW;
  p.tapsH = max(0, (uniforms.kH - p.kh0 + uniforms.strideH - 1) / uniforms.strideH);
  p.tapsW = max(0, (uniforms.kW - p.kw0 + uniforms.strideW - 1) / uniforms.strideW);
  p.qh = (p.rh + uniforms.padTop - p.kh0) / uniforms.strideH;
  p.qw = (p.rw + uniforms.padLeft - p.kw0) / uniforms.strideW;
  return p;
}
var<private> phase : Phase;
fn gemmM(z : i32) -> i32 { let p = phaseOf(z); return uniforms.batch * p.rows * p.cols; }
fn gemmN(z : i32) -> i32 { return uniforms.inC; }
fn kBegin(z : i32) -> i32 { return 0; }
fn kEnd(z : i32) -> i32 { let p = phaseOf(z); return p.tapsH * p.tapsW * uniforms.outC; }
fn gemmSetup(z : i32) { phase = phaseOf(z); }
// Input pixel m of this phase -> (b, oh of tap 0, ow of tap 0).
fn infoA(z : i32, m : i32) -> vec4<i32> {
  let t = m / phase.cols;
  return vec4<i32>(t / phase.rows, t % phase.rows + phase.qh, m % phase.cols + phase.qw, 0);
}
// K index -> (tap row th, tap column tw, output channel co), once per K step when outC % ${GEMM_TK} == 0.
fn decodeK(k : i32) -> vec4<i32> {
  let tap = k / uniforms.outC;
  return vec4<i32>(tap / phase.tapsW, tap % phase.tapsW, k % uniforms.outC, 0);
}
${
  aligned
    ? `fn kTile(z : i32, k0 : i32) -> vec4<i32> { return decodeK(k0); }
fn tapOf(k : i32, kk : i32, kt : vec4<i32>) -> vec4<i32> { return vec4<i32>(kt.x, kt.y, kt.z + kk, 0); }`
    : `fn kTile(z : i32, k0 : i32) -> vec4<i32> { return vec4<i32>(0); }
fn tapOf(k : i32, kk : i32, kt : vec4<i32>) -> vec4<i32> { return decodeK(k); }`
}
fn loadA(z : i32, info : vec4<i32>, k : i32, kk : i32, kt : vec4<i32>) -> f32 {
  let t = tapOf(k, kk, kt);
  let oh = info.y - t.x;
  let ow = info.z - t.y;
  if (oh < 0 || oh >= uniforms.outH || ow < 0 || ow >= uniforms.outW) { return 0.0; }
  return dy[((info.x * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.outC + t.z];
}
fn infoB(z : i32, n : i32) -> vec4<i32> { return vec4<i32>(n, 0, 0, 0); }
fn loadB(z : i32, k : i32, kk : i32, kt : vec4<i32>, info : vec4<i32>) -> f32 {
  let t = tapOf(k, kk, kt);
  let kh = phase.kh0 + uniforms.strideH * t.x;
  let kw = phase.kw0 + uniforms.strideW * t.y;
  return W[((kh * uniforms.kW + kw) * uniforms.inC + info.x) * uniforms.outC + t.z];
}
fn storeC(z : i32, m : i32, n : i32, value : f32) {
  let t = m / phase.cols;
  let ih = phase.rh + uniforms.strideH * (t % phase.rows);
  let iw = phase.rw + uniforms.strideW * (m % phase.cols);
  result[(((t / phase.rows) * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + n] = value;
}`;
  return {
    spec: {
      key: `HfConvInputGrad_${tiling}_${aligned ? 'aligned' : 'any'}`,
      inputs: ['dy', 'W'],
      outputShape: c.inShape,
      workgroupSize: GEMM_WORKGROUP,
      dispatch: gemmDispatch(tiling, m, c.inChannels, phases),
      uniforms: CONV_UNIFORMS,
      code: gemmCode(tiling, { functions, aAlongM: false, bAlongN: false }),
    },
    uniforms: convUniforms(c, 0),
  };
}
