import type { NormActivation } from '../../ops/instance-norm.js';
import { FLAT_WORKGROUP_ID, grid2d, type ProgramSpec, type ProgramUniform } from './program.js';

/**
 * WGSL programs of the fused instance norm + activation over NHWC float32, viewed as [batch, pixels,
 * channels]. Statistics are per (sample, channel) over the pixels. Forward: per-chunk partial statistics,
 * merge to (mean, 1/std), apply. Backward: per-chunk partial sums of g and g*x^ (g = dy * act'), merge,
 * dx, dgamma, dbeta. Chunking keeps thousands of threads busy even at batch 1 with 64 channels.
 */

/** Sizes every program of one norm call shares. */
export interface NormDims {
  /** The NHWC input shape. */
  readonly shape: readonly number[];
  readonly batch: number;
  readonly pixels: number;
  readonly channels: number;
  /** Pixels per chunk of the partial reductions, and the number of chunks. */
  readonly chunk: number;
  readonly chunks: number;
}

const WG = 64;
/** Enough (sample, chunk, channel) threads to fill a large GPU while chunks stay >= 64 pixels. */
const TARGET_REDUCTION_THREADS = 16_384;

/** Splits the pixels into chunks for the partial reductions. */
export function normDims(shape: readonly number[]): NormDims {
  const [batch, height, width, channels] = shape as [number, number, number, number];
  const pixels = height * width;
  const wanted = Math.max(1, Math.ceil(TARGET_REDUCTION_THREADS / (batch * channels)));
  const maxChunks = Math.max(1, Math.ceil(pixels / 64));
  const chunk = Math.ceil(pixels / Math.min(wanted, maxChunks));
  return { shape: [...shape], batch, pixels, channels, chunk, chunks: Math.ceil(pixels / chunk) };
}

const DIM_UNIFORMS = 'batch : i32, pixels : i32, channels : i32, chunk : i32, chunks : i32,';

function dimUniforms(d: NormDims): ProgramUniform[] {
  return [d.batch, d.pixels, d.channels, d.chunk, d.chunks].map((v) => ({ type: 'int32', data: [v] }));
}

const THREAD_INDEX = `let t = ${FLAT_WORKGROUP_ID} * ${WG} + i32(localIndex);`;

/** act'(pre-activation) read from the activation's output, whose sign matches the input's. */
function slopeFromOutput(activation: NormActivation, y: string): string {
  switch (activation) {
    case 'none':
      return '1.0';
    case 'relu':
      return `select(0.0, 1.0, ${y} > 0.0)`;
    case 'lrelu':
      // d/dx (0.6x + 0.4|x|) with |x|' = -1 at 0, as tfjs's Abs gradient.
      return `select(0.2, 1.0, ${y} > 0.0)`;
  }
}

function applyActivation(activation: NormActivation, v: string): string {
  switch (activation) {
    case 'none':
      return v;
    case 'relu':
      return `max(${v}, 0.0)`;
    case 'lrelu':
      return `(0.6 * ${v} + 0.4 * abs(${v}))`;
  }
}

type Built = { spec: ProgramSpec; uniforms: ProgramUniform[] };

/**
 * One program of the norm: a flat thread index `t` over `threads`, the dimension uniforms (plus `extra`),
 * and `C` bound to the channel count before `body`.
 */
function normProgram(
  d: NormDims,
  program: {
    key: string;
    inputs: string[];
    outputShape: readonly number[];
    threads: number;
    body: string;
    extra?: { declaration: string; uniform: ProgramUniform };
  },
): Built {
  return {
    spec: {
      key: program.key,
      inputs: program.inputs,
      outputShape: [...program.outputShape],
      workgroupSize: [WG, 1, 1],
      dispatch: grid2d(program.threads / WG),
      uniforms: program.extra ? `${DIM_UNIFORMS} ${program.extra.declaration}` : DIM_UNIFORMS,
      code: `
fn main() {
  ${THREAD_INDEX}
  let C = uniforms.channels;
${program.body}
}`,
    },
    uniforms: program.extra ? [...dimUniforms(d), program.extra.uniform] : dimUniforms(d),
  };
}

/** A thread per (sample b, chunk p, channel c): the chunk's pixel range and the sample's channel base. */
const CHUNK_THREAD = `  let P = uniforms.chunks;
  if (t >= uniforms.batch * P * C) { return; }
  let c = t % C;
  let p = (t / C) % P;
  let b = t / (C * P);
  let start = p * uniforms.chunk;
  let end = min(start + uniforms.chunk, uniforms.pixels);
  let base = b * uniforms.pixels * C + c;`;

/** A thread per element: its channel c and the index s of its (sample, channel) pair of statistics. */
const ELEMENT_THREAD = `  if (t >= uniforms.batch * uniforms.pixels * C) { return; }
  let c = t % C;
  let s = ((t / (uniforms.pixels * C)) * C + c) * 2;`;

/** A thread per (sample b, channel c), merging the P chunk partials. */
const SAMPLE_CHANNEL_THREAD = `  let P = uniforms.chunks;
  if (t >= uniforms.batch * C) { return; }
  let c = t % C;
  let b = t / C;`;

/** Forward 1: per (sample, chunk, channel) mean and sum of squared deviations, shifted for accuracy. */
export function statsPartialProgram(d: NormDims): Built {
  return normProgram(d, {
    key: 'HfNormStatsPartial',
    inputs: ['x'],
    outputShape: [d.batch, d.chunks, d.channels, 2],
    threads: d.batch * d.chunks * d.channels,
    body: `${CHUNK_THREAD}
  let shift = x[base + start * C];
  var s1 = 0.0;
  var s2 = 0.0;
  for (var i = start; i < end; i++) {
    let v = x[base + i * C] - shift;
    s1 += v;
    s2 += v * v;
  }
  let n = f32(end - start);
  result[t * 2] = shift + s1 / n;
  result[t * 2 + 1] = max(s2 - s1 * s1 / n, 0.0);`,
  });
}

/** Forward 2: merges chunk statistics (Chan et al.) into (mean, 1/sqrt(var + eps)) per sample and channel. */
export function statsMergeProgram(d: NormDims, epsilon: number): Built {
  return normProgram(d, {
    key: 'HfNormStatsMerge',
    inputs: ['partial'],
    outputShape: [d.batch, d.channels, 2],
    threads: d.batch * d.channels,
    extra: { declaration: 'eps : f32,', uniform: { type: 'float32', data: [epsilon] } },
    body: `${SAMPLE_CHANNEL_THREAD}
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var p = 0; p < P; p++) {
    let count = f32(min(uniforms.chunk, uniforms.pixels - p * uniforms.chunk));
    let i = ((b * P + p) * C + c) * 2;
    let total = n + count;
    let delta = partial[i] - mean;
    mean += delta * count / total;
    m2 += partial[i + 1] + delta * delta * n * count / total;
    n = total;
  }
  result[t * 2] = mean;
  result[t * 2 + 1] = inverseSqrt(m2 / f32(uniforms.pixels) + uniforms.eps);`,
  });
}

/** Forward 3: y = act(gamma * (x - mean) / std + beta). */
export function applyProgram(d: NormDims, activation: NormActivation): Built {
  return normProgram(d, {
    key: `HfNormApply_${activation}`,
    inputs: ['x', 'stats', 'gamma', 'beta'],
    outputShape: d.shape,
    threads: d.batch * d.pixels * d.channels,
    body: `${ELEMENT_THREAD}
  let v = gamma[c] * (x[t] - stats[s]) * stats[s + 1] + beta[c];
  result[t] = ${applyActivation(activation, 'v')};`,
  });
}

/** Inputs of the backward programs: y is only bound when the activation has a slope to read. */
export function backwardInputs(activation: NormActivation): string[] {
  return activation === 'none' ? ['x', 'dy', 'stats'] : ['x', 'y', 'dy', 'stats'];
}

/** Backward 1: per (sample, chunk, channel) sums of g and g * x^, g = dy * act'. */
export function gradPartialProgram(d: NormDims, activation: NormActivation): Built {
  return normProgram(d, {
    key: `HfNormGradPartial_${activation}`,
    inputs: backwardInputs(activation),
    outputShape: [d.batch, d.chunks, d.channels, 2],
    threads: d.batch * d.chunks * d.channels,
    body: `${CHUNK_THREAD}
  let s = (b * C + c) * 2;
  let mean = stats[s];
  let rstd = stats[s + 1];
  var sg = 0.0;
  var sgx = 0.0;
  for (var i = start; i < end; i++) {
    let idx = base + i * C;
    let g = dy[idx] * ${slopeFromOutput(activation, 'y[idx]')};
    sg += g;
    sgx += g * (x[idx] - mean) * rstd;
  }
  result[t * 2] = sg;
  result[t * 2 + 1] = sgx;`,
  });
}

/** Backward 2: sums the chunk partials per sample and channel. */
export function gradMergeProgram(d: NormDims): Built {
  return normProgram(d, {
    key: 'HfNormGradMerge',
    inputs: ['partial'],
    outputShape: [d.batch, d.channels, 2],
    threads: d.batch * d.channels,
    body: `${SAMPLE_CHANNEL_THREAD}
  var sg = 0.0;
  var sgx = 0.0;
  for (var p = 0; p < P; p++) {
    let i = ((b * P + p) * C + c) * 2;
    sg += partial[i];
    sgx += partial[i + 1];
  }
  result[t * 2] = sg;
  result[t * 2 + 1] = sgx;`,
  });
}

/**
 * Backward 3: dx = gamma / std * (g - mean(g) - x^ * mean(g * x^)). The per-(sample, channel) sums come
 * from `sums` [batch, C, 2], or at batch 1 straight from dbeta (sum of g) and dgamma (sum of g * x^),
 * which saves the merge dispatch.
 */
export function gradInputProgram(d: NormDims, activation: NormActivation, from: 'sums' | 'params'): Built {
  const sums =
    from === 'sums'
      ? { inputs: ['sums'], g: 'sums[s]', gx: 'sums[s + 1]' }
      : { inputs: ['dBeta', 'dGamma'], g: 'dBeta[c]', gx: 'dGamma[c]' };
  return normProgram(d, {
    key: `HfNormGradInput_${activation}_${from}`,
    inputs: [...backwardInputs(activation), 'gamma', ...sums.inputs],
    outputShape: d.shape,
    threads: d.batch * d.pixels * d.channels,
    body: `${ELEMENT_THREAD}
  let rstd = stats[s + 1];
  let xhat = (x[t] - stats[s]) * rstd;
  let g = dy[t] * ${slopeFromOutput(activation, 'y[t]')};
  let n = f32(uniforms.pixels);
  result[t] = rstd * gamma[c] * (g - ${sums.g} / n - xhat * ${sums.gx} / n);`,
  });
}

/**
 * Backward 4/5: dgamma (component 1: sum of g * x^) or dbeta (component 0: sum of g) per channel,
 * over the batch from `sums`, or over batch and chunks straight from the partials.
 */
export function gradParamProgram(d: NormDims, which: 'gamma' | 'beta', from: 'sums' | 'partial'): Built {
  const component = which === 'gamma' ? 1 : 0;
  const loop =
    from === 'sums'
      ? `for (var b = 0; b < uniforms.batch; b++) { total += sums[(b * C + t) * 2 + ${component}]; }`
      : `for (var bp = 0; bp < uniforms.batch * uniforms.chunks; bp++) {
    total += partial[(bp * C + t) * 2 + ${component}];
  }`;
  return normProgram(d, {
    key: `HfNormGradParam_${which}_${from}`,
    inputs: [from],
    outputShape: [d.channels],
    threads: d.channels,
    body: `  if (t >= C) { return; }
  var total = 0.0;
  ${loop}
  result[t] = total;`,
  });
}
