import * as tf from '@tensorflow/tfjs';
import { leakyRelu } from '../ops/activation.js';
import { equalizedConv2d, heScale } from '../ops/equalized.js';
import { minibatchStddev } from '../ops/minibatch-stddev.js';
import { pixelNorm } from '../ops/pixel-norm.js';
import { downscale2x, upscale2x } from '../ops/resample.js';
import {
  createVariables,
  disposeVariables,
  type InitialValues,
  type ModelVariables,
  type ParameterSpec,
} from './parameters.js';
import { ScalarCache } from './scalars.js';

/**
 * Progressive GAN (Karras et al. 2018; the original's G_paper/D_paper) at op level, NHWC: pixelnorm,
 * equalised learning rate (weights N(0, 1) scaled by He's constant at run time), leaky ReLU 0.2,
 * minibatch stddev, toRGB/fromRGB per resolution and fade-in by `alpha`.
 */
export interface ProganConfig {
  /** Highest resolution in pixels, a power of 2 from 8 to 1024 (512 in SPEC 6). */
  readonly maxResolution: number;
  /** Length of the latent vector (512 in the paper). */
  readonly latentSize: number;
  /** Feature maps at a stage s are min(fmapBase / 2^(s * fmapDecay), fmapMax) (8192, 1, 512). */
  readonly fmapBase: number;
  readonly fmapDecay: number;
  readonly fmapMax: number;
  /** Minibatch stddev group size (4). */
  readonly mbstdGroupSize: number;
}

/** Feature maps of the original's nf(stage). */
function nf(config: ProganConfig, stage: number): number {
  return Math.min(Math.floor(config.fmapBase / 2 ** (stage * config.fmapDecay)), config.fmapMax);
}

/** Feature maps of the generator's (and discriminator's) block at `resolution` px. */
export function proganChannels(config: ProganConfig, resolution: number): number {
  return nf(config, Math.log2(resolution) - 1);
}

/** Resolutions of the progression, 4 .. maxResolution. */
export function proganResolutions(config: ProganConfig): number[] {
  const out: number[] = [];
  for (let r = 4; r <= config.maxResolution; r *= 2) out.push(r);
  return out;
}

export interface ProganNetwork<TIn extends tf.Tensor, TOut extends tf.Tensor> {
  readonly scope: string;
  readonly config: ProganConfig;
  readonly variables: ModelVariables;
  /**
   * Forward pass at `resolution` px; `alpha` in [0, 1] fades the newest block in (1: fully in).
   * Only the variables of blocks up to `resolution` (and the previous toRGB/fromRGB while fading)
   * take part.
   */
  apply(input: TIn, resolution: number, alpha: number): TOut;
  dispose(): void;
}

/** Latents [N, latentSize] to images [N, r, r, 3] in about [-1, 1]. */
export type ProganGenerator = ProganNetwork<tf.Tensor2D, tf.Tensor4D>;
/** Images [N, r, r, 3] to critic scores [N, 1]. */
export type ProganDiscriminator = ProganNetwork<tf.Tensor4D, tf.Tensor2D>;

const WEIGHT_INIT = { kind: 'normal', mean: 0, std: 1 } as const;
const ZERO = { kind: 'constant', value: 0 } as const;

interface WeightShape {
  readonly name: string;
  readonly shape: readonly number[];
  /** He gain: sqrt(2) for layers before leaky ReLU, 1 for linear outputs, sqrt(2)/4 for G's dense. */
  readonly gain: number;
}

function generatorWeights(config: ProganConfig): WeightShape[] {
  const n4 = proganChannels(config, 4);
  const shapes: WeightShape[] = [
    { name: '4x4/dense', shape: [config.latentSize, 16 * n4], gain: Math.SQRT2 / 4 },
    { name: '4x4/conv', shape: [3, 3, n4, n4], gain: Math.SQRT2 },
    { name: '4x4/toRGB', shape: [1, 1, n4, 3], gain: 1 },
  ];
  for (const r of proganResolutions(config).slice(1)) {
    const cin = proganChannels(config, r / 2);
    const c = proganChannels(config, r);
    shapes.push({ name: `${r}x${r}/conv0`, shape: [3, 3, cin, c], gain: Math.SQRT2 });
    shapes.push({ name: `${r}x${r}/conv1`, shape: [3, 3, c, c], gain: Math.SQRT2 });
    shapes.push({ name: `${r}x${r}/toRGB`, shape: [1, 1, c, 3], gain: 1 });
  }
  return shapes;
}

function discriminatorWeights(config: ProganConfig): WeightShape[] {
  const shapes: WeightShape[] = [];
  for (const r of proganResolutions(config).slice(1).reverse()) {
    const c = proganChannels(config, r);
    shapes.push({ name: `${r}x${r}/fromRGB`, shape: [1, 1, 3, c], gain: Math.SQRT2 });
    shapes.push({ name: `${r}x${r}/conv0`, shape: [3, 3, c, c], gain: Math.SQRT2 });
    shapes.push({
      name: `${r}x${r}/conv1`,
      shape: [3, 3, c, proganChannels(config, r / 2)],
      gain: Math.SQRT2,
    });
  }
  const n4 = proganChannels(config, 4);
  const extra = config.mbstdGroupSize > 1 ? 1 : 0;
  shapes.push({ name: '4x4/fromRGB', shape: [1, 1, 3, n4], gain: Math.SQRT2 });
  shapes.push({ name: '4x4/conv', shape: [3, 3, n4 + extra, n4], gain: Math.SQRT2 });
  shapes.push({ name: '4x4/dense0', shape: [16 * n4, nf(config, 0)], gain: Math.SQRT2 });
  shapes.push({ name: '4x4/dense1', shape: [nf(config, 0), 1], gain: 1 });
  return shapes;
}

function toSpecs(scope: string, weights: readonly WeightShape[]): ParameterSpec[] {
  return weights.flatMap((w) => {
    const outChannels = w.name === '4x4/dense' ? w.shape[1]! / 16 : w.shape[w.shape.length - 1]!;
    return [
      { name: `${scope}/${w.name}/weight`, shape: w.shape, init: WEIGHT_INIT },
      { name: `${scope}/${w.name}/bias`, shape: [outChannels], init: ZERO },
    ];
  });
}

/** Parameters of the progressive generator, in creation order. */
export function proganGeneratorSpecs(config: ProganConfig, scope: string): ParameterSpec[] {
  return toSpecs(scope, generatorWeights(config));
}

/** Parameters of the progressive discriminator, in creation order. */
export function proganDiscriminatorSpecs(config: ProganConfig, scope: string): ParameterSpec[] {
  return toSpecs(scope, discriminatorWeights(config));
}

/** Checks a resolution and fade factor against the configuration. */
export function checkResolution(config: ProganConfig, resolution: number, alpha: number): void {
  if (!Number.isInteger(Math.log2(resolution)) || resolution < 4 || resolution > config.maxResolution) {
    throw new RangeError(
      `Expected a resolution that is a power of 2 from 4 to ${config.maxResolution} but received ${resolution}`,
    );
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`Expected alpha in [0, 1] but received ${alpha}`);
}

/** Equalised-LR layers of one network, scales precomputed per weight. */
class EqualizedLayers {
  readonly scalars = new ScalarCache();
  private readonly scales = new Map<string, number>();

  constructor(
    private readonly scope: string,
    readonly variables: ModelVariables,
    weights: readonly WeightShape[],
  ) {
    for (const w of weights) {
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      this.scales.set(w.name, heScale(fanIn, w.gain));
    }
  }

  weight(name: string): tf.Variable {
    return this.variables[`${this.scope}/${name}/weight`]!;
  }

  bias(name: string): tf.Tensor1D {
    return this.variables[`${this.scope}/${name}/bias`]! as tf.Tensor1D;
  }

  scale(name: string): tf.Scalar {
    return this.scalars.get(this.scales.get(name)!);
  }

  conv(x: tf.Tensor4D, name: string): tf.Tensor4D {
    return equalizedConv2d(x, this.weight(name) as tf.Tensor4D, this.bias(name), this.scale(name));
  }

  dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.matMul(x, tf.mul(this.weight(name), this.scale(name)) as tf.Tensor2D);
  }

  dispose(): void {
    this.scalars.dispose();
    disposeVariables(this.variables);
  }
}

function lerp<T extends tf.Tensor>(a: T, b: T, alpha: number): T {
  return alpha >= 1 ? b : (tf.add(a, tf.mul(tf.sub(b, a), alpha)) as T);
}

/**
 * Progressive generator: normalised latent -> dense to 4x4 (pixelnorm) -> conv; per resolution
 * upscale, two 3x3 convs with pixelnorm; toRGB (1x1, linear). While fading, the output is
 * lerp(upscale(toRGB of the previous block), toRGB of the new block, alpha).
 */
export function createProganGenerator(
  config: ProganConfig,
  initialValues: InitialValues,
  scope = 'generator',
): ProganGenerator {
  const weights = generatorWeights(config);
  const variables = createVariables(proganGeneratorSpecs(config, scope), initialValues);
  const layers = new EqualizedLayers(scope, variables, weights);
  const n4 = proganChannels(config, 4);
  const act = (x: tf.Tensor4D): tf.Tensor4D => pixelNorm(leakyRelu(x));
  const toRgb = (x: tf.Tensor4D, r: number): tf.Tensor4D => layers.conv(x, `${r}x${r}/toRGB`);
  const apply = (latents: tf.Tensor2D, resolution: number, alpha: number): tf.Tensor4D => {
    checkResolution(config, resolution, alpha);
    return tf.tidy(() => {
      const z = pixelNorm(latents);
      const dense = tf.reshape(layers.dense(z, '4x4/dense'), [-1, 4, 4, n4]) as tf.Tensor4D;
      let h = act(tf.add(dense, layers.bias('4x4/dense')));
      h = act(layers.conv(h, '4x4/conv'));
      let previous: tf.Tensor4D | null = null;
      for (let r = 8; r <= resolution; r *= 2) {
        if (r === resolution && alpha < 1) previous = h;
        h = act(layers.conv(upscale2x(h), `${r}x${r}/conv0`));
        h = act(layers.conv(h, `${r}x${r}/conv1`));
      }
      const rgb = toRgb(h, resolution);
      return previous ? lerp(upscale2x(toRgb(previous, resolution / 2)), rgb, alpha) : rgb;
    });
  };
  return { scope, config, variables, apply, dispose: () => layers.dispose() };
}

/**
 * Progressive discriminator (critic): fromRGB (1x1) at the input resolution, per resolution two 3x3
 * convs and a 2x downscale; at 4x4 minibatch stddev, conv, dense, dense to one score. While fading,
 * after the newest block its features are lerped with fromRGB of the downscaled input.
 */
export function createProganDiscriminator(
  config: ProganConfig,
  initialValues: InitialValues,
  scope = 'discriminator',
): ProganDiscriminator {
  const weights = discriminatorWeights(config);
  const variables = createVariables(proganDiscriminatorSpecs(config, scope), initialValues);
  const layers = new EqualizedLayers(scope, variables, weights);
  const fromRgb = (x: tf.Tensor4D, r: number): tf.Tensor4D => leakyRelu(layers.conv(x, `${r}x${r}/fromRGB`));
  const apply = (images: tf.Tensor4D, resolution: number, alpha: number): tf.Tensor2D => {
    checkResolution(config, resolution, alpha);
    return tf.tidy(() => {
      let h = fromRgb(images, resolution);
      for (let r = resolution; r > 4; r /= 2) {
        h = leakyRelu(layers.conv(h, `${r}x${r}/conv0`));
        h = downscale2x(leakyRelu(layers.conv(h, `${r}x${r}/conv1`)));
        if (r === resolution && alpha < 1) h = lerp(fromRgb(downscale2x(images), r / 2), h, alpha);
      }
      if (config.mbstdGroupSize > 1) h = minibatchStddev(h, config.mbstdGroupSize);
      h = leakyRelu(layers.conv(h, '4x4/conv'));
      const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
      const d0 = leakyRelu(
        tf.add(layers.dense(flat, '4x4/dense0'), layers.bias('4x4/dense0')) as tf.Tensor2D,
      );
      return tf.add(layers.dense(d0, '4x4/dense1'), layers.bias('4x4/dense1'));
    });
  };
  return { scope, config, variables, apply, dispose: () => layers.dispose() };
}

/**
 * A second generator holding a copy of `source`'s weights, for the exponential moving average. The
 * copy is made on the device (no read-back, which webgpu cannot do synchronously).
 */
export function createEmaGenerator(source: ProganGenerator, scope = 'generatorEma'): ProganGenerator {
  const ema = createProganGenerator(source.config, (spec) => new Float32Array(sizeOf(spec.shape)), scope);
  tf.tidy(() => {
    for (const [name, target] of Object.entries(ema.variables)) target.assign(emaSource(ema, source, name));
  });
  return ema;
}

/** ema <- source + (ema - source) * decay, per variable (the original's Gs update, beta 0.999). */
export function updateEma(ema: ProganGenerator, source: ProganGenerator, decay: number): void {
  tf.tidy(() => {
    const d = tf.scalar(decay);
    for (const [name, target] of Object.entries(ema.variables)) {
      const from = emaSource(ema, source, name);
      target.assign(tf.add(from, tf.mul(tf.sub(target, from), d)));
    }
  });
}

function emaSource(ema: ProganGenerator, source: ProganGenerator, emaName: string): tf.Variable {
  const name = `${source.scope}/${emaName.slice(ema.scope.length + 1)}`;
  const v = source.variables[name];
  if (!v) throw new Error(`EMA: ${source.scope} has no variable ${name}`);
  return v;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
