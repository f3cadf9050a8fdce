import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';
import { gradientPenalty } from '../losses.js';
import type { ModelVariables } from '../models/parameters.js';
import { updateEma, type ProganDiscriminator, type ProganGenerator } from '../models/progan.js';
import { downscale2x, upscale2x } from '../ops/resample.js';
import type { Optimizer } from '../optim/optimizer.js';
import { disposeAll, readScalars } from './read-scalars.js';

export interface ProganModels {
  readonly generator: ProganGenerator;
  readonly discriminator: ProganDiscriminator;
  /** Moving average of the generator (the one to sample and export); updated after each step. */
  readonly generatorEma?: ProganGenerator;
}

export interface ProganOptimizers {
  readonly generator: Optimizer;
  readonly discriminator: Optimizer;
}

export interface ProganStepOptions {
  /** Current resolution in pixels; reals must be this size. */
  readonly resolution: number;
  /** Fade-in of the newest block, 0..1 (1 outside fade phases). */
  readonly alpha: number;
  /** Draws latents, penalty mixing factors and mirror flips; its state is part of a checkpoint. */
  readonly rng: Rng;
  /** Gradient penalty weight (10) and target norm (1). */
  readonly lambda: number;
  readonly gamma: number;
  /** Weight of the drift term mean(D(real)^2) (0.001). */
  readonly drift: number;
  /** Flip each real image left-right with probability 1/2. */
  readonly mirror: boolean;
  /** EMA decay of generatorEma (0.999). */
  readonly emaDecay: number;
}

/** Every loss term of one step. */
export interface ProganLosses {
  /** Critic loss: fakeScore - realScore + gradientPenalty + drift. */
  criticTotal: number;
  /** Mean critic score of the real and of the fake images. */
  realScore: number;
  fakeScore: number;
  gradientPenalty: number;
  drift: number;
  /** Generator loss: -mean D(G(z)). */
  generator: number;
}

/**
 * One ProGAN step (WGAN-GP with drift, one critic update then one generator update, as the
 * original): reals are NHWC in [-1, 1] at `resolution`; while fading, reals are blended with their
 * 2x-down-then-up version by alpha as the original does, so real and fake images match.
 */
export async function proganStep(
  models: ProganModels,
  optimizers: ProganOptimizers,
  reals: tf.Tensor4D,
  options: Readonly<ProganStepOptions>,
): Promise<ProganLosses> {
  const { generator: g, discriminator: d } = models;
  const { resolution: r, alpha, rng } = options;
  const batch = reals.shape[0];
  if (reals.shape[1] !== r || reals.shape[2] !== r) {
    throw new RangeError(`Expected reals of ${r}x${r} px but received ${reals.shape[1]}x${reals.shape[2]}`);
  }
  const latentSize = g.config.latentSize;
  const criticLatents = normals(rng, batch * latentSize);
  const mixing = Float32Array.from({ length: batch }, () => rng.next());
  const flips = Float32Array.from({ length: batch }, () => (options.mirror && rng.next() < 0.5 ? 1 : 0));
  const generatorLatents = normals(rng, batch * latentSize);
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return tf.keep(t);
  };
  try {
    let critic!: Record<'realScore' | 'fakeScore' | 'gradientPenalty' | 'drift', tf.Scalar>;
    const criticTotal = tf.tidy(() => {
      const x = prepareReals(reals, flips, r, alpha, options.mirror);
      const fakes = g.apply(tf.tensor2d(criticLatents, [batch, latentSize]), r, alpha);
      const mix = tf.tensor4d(mixing, [batch, 1, 1, 1]);
      const score = (images: tf.Tensor4D): tf.Tensor2D => d.apply(images, r, alpha);
      const { value, grads } = tf.variableGrads(() => {
        const realScores = score(x);
        const parts = {
          realScore: tf.mean(realScores) as tf.Scalar,
          fakeScore: tf.mean(score(fakes)) as tf.Scalar,
          gradientPenalty: gradientPenalty(score, x, fakes, mix, options),
          drift: tf.mul(tf.mean(tf.square(realScores)), options.drift) as tf.Scalar,
        };
        critic = Object.fromEntries(Object.entries(parts).map(([k, t]) => [k, keep(t)])) as typeof critic;
        return tf.addN([
          tf.sub(parts.fakeScore, parts.realScore),
          parts.gradientPenalty,
          parts.drift,
        ]) as tf.Scalar;
      }, trainable(d.variables));
      optimizers.discriminator.applyGradients(d.variables, grads);
      return value;
    });
    kept.push(criticTotal);
    const generatorLoss = tf.tidy(() => {
      const z = tf.tensor2d(generatorLatents, [batch, latentSize]);
      const { value, grads } = tf.variableGrads(
        () => tf.neg(tf.mean(d.apply(g.apply(z, r, alpha), r, alpha))) as tf.Scalar,
        trainable(g.variables),
      );
      optimizers.generator.applyGradients(g.variables, grads);
      return value;
    });
    kept.push(generatorLoss);
    if (models.generatorEma) updateEma(models.generatorEma, g, options.emaDecay);
    kept.length = 0;
    return await readScalars({ criticTotal, ...critic, generator: generatorLoss });
  } catch (error) {
    disposeAll(kept);
    throw error;
  }
}

/** Mirror augmentation, then the original's fade-in blend of the reals (process_reals). */
function prepareReals(
  reals: tf.Tensor4D,
  flips: Float32Array,
  resolution: number,
  alpha: number,
  mirror: boolean,
): tf.Tensor4D {
  let x = reals;
  if (mirror) {
    const flip = tf.tensor4d(flips, [flips.length, 1, 1, 1]);
    x = tf.add(tf.mul(tf.reverse(x, 2), flip), tf.mul(x, tf.sub(1, flip)));
  }
  if (alpha < 1 && resolution > 4) {
    const coarse = upscale2x(downscale2x(x));
    x = tf.add(coarse, tf.mul(tf.sub(x, coarse), alpha));
  }
  return x;
}

function normals(rng: Rng, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

function trainable(variables: ModelVariables): tf.Variable[] {
  return Object.values(variables);
}
