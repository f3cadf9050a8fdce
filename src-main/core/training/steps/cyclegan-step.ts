import * as tf from '@tensorflow/tfjs';
import type { ImagePool } from '../image-pool.js';
import { l1Loss, lsganLoss } from '../losses.js';
import type { CycleganGenerator, PatchDiscriminator } from '../models/cyclegan.js';
import type { ModelVariables } from '../models/parameters.js';
import type { Optimizer } from '../optim/optimizer.js';
import { disposeAll, readScalars } from './read-scalars.js';

/** The four networks: generators A->B and B->A, and a discriminator per domain. */
export interface CycleganModels {
  readonly generatorAB: CycleganGenerator;
  readonly generatorBA: CycleganGenerator;
  /** Judges domain A images: real A against G_BA's fakes. */
  readonly discriminatorA: PatchDiscriminator;
  /** Judges domain B images: real B against G_AB's fakes. */
  readonly discriminatorB: PatchDiscriminator;
}

/** One Adam for both generators and one for both discriminators, as in the reference. */
export interface CycleganOptimizers {
  readonly generators: Optimizer;
  readonly discriminators: Optimizer;
}

export interface CycleganStepOptions {
  /** Weight of each cycle-consistency L1 loss (10). */
  readonly lambdaCycle: number;
  /** Identity loss weight relative to lambdaCycle (0.5; 0 turns the identity passes off). */
  readonly identityWeight: number;
  /** Histories of generated images for the discriminators (50 each). */
  readonly fakePools: { readonly A: ImagePool; readonly B: ImagePool };
}

/** Every loss term of one step, weighted as it enters the totals. */
export interface CycleganLosses {
  /** LSGAN loss of G_AB's fakes under D_B (target real). */
  adversarialAB: number;
  adversarialBA: number;
  /** lambdaCycle * |G_BA(G_AB(A)) - A|. */
  cycleA: number;
  cycleB: number;
  /** lambdaCycle * identityWeight * |G_AB(B) - B| (0 when off). */
  identityAB: number;
  identityBA: number;
  generatorTotal: number;
  /** 0.5 * (LSGAN(D_A(real A), 1) + LSGAN(D_A(pooled fake A), 0)). */
  discriminatorA: number;
  discriminatorB: number;
}

/**
 * One CycleGAN training step (the reference's optimize_parameters): generators first (adversarial +
 * cycle + optional identity losses, discriminators fixed), then both discriminators on real images and
 * fakes drawn through the image pools. Images NHWC in [-1, 1]. Returns every loss term.
 */
export async function cycleganStep(
  models: CycleganModels,
  optimizers: CycleganOptimizers,
  realA: tf.Tensor4D,
  realB: tf.Tensor4D,
  options: Readonly<CycleganStepOptions>,
): Promise<CycleganLosses> {
  const { generatorAB: gAB, generatorBA: gBA, discriminatorA: dA, discriminatorB: dB } = models;
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return tf.keep(t);
  };
  try {
    let fakeA!: tf.Tensor4D;
    let fakeB!: tf.Tensor4D;
    let terms!: Record<
      Exclude<keyof CycleganLosses, 'generatorTotal' | 'discriminatorA' | 'discriminatorB'>,
      tf.Scalar
    >;
    const generatorTotal = tf.tidy(() => {
      const variables = { ...gAB.variables, ...gBA.variables };
      const { value, grads } = tf.variableGrads(() => {
        const fB = gAB.apply(realA);
        const fA = gBA.apply(realB);
        const cycleWeight = options.lambdaCycle;
        const identityWeight = options.lambdaCycle * options.identityWeight;
        const parts = {
          adversarialAB: lsganLoss(dB.apply(fB), 1),
          adversarialBA: lsganLoss(dA.apply(fA), 1),
          cycleA: tf.mul(l1Loss(gBA.apply(fB), realA), cycleWeight) as tf.Scalar,
          cycleB: tf.mul(l1Loss(gAB.apply(fA), realB), cycleWeight) as tf.Scalar,
          identityAB:
            identityWeight > 0
              ? (tf.mul(l1Loss(gAB.apply(realB), realB), identityWeight) as tf.Scalar)
              : tf.scalar(0),
          identityBA:
            identityWeight > 0
              ? (tf.mul(l1Loss(gBA.apply(realA), realA), identityWeight) as tf.Scalar)
              : tf.scalar(0),
        };
        fakeA = keep(fA);
        fakeB = keep(fB);
        terms = Object.fromEntries(Object.entries(parts).map(([k, t]) => [k, keep(t)])) as typeof terms;
        return tf.addN(Object.values(parts)) as tf.Scalar;
      }, trainable(variables));
      optimizers.generators.applyGradients(variables, grads);
      return value;
    });
    kept.push(generatorTotal);
    const discriminatorTerms = tf.tidy(() => {
      const pooledA = options.fakePools.A.query(fakeA);
      const pooledB = options.fakePools.B.query(fakeB);
      const variables = { ...dA.variables, ...dB.variables };
      let parts!: { discriminatorA: tf.Scalar; discriminatorB: tf.Scalar };
      const { grads } = tf.variableGrads(() => {
        parts = {
          discriminatorA: tf.mul(tf.add(lsganLoss(dA.apply(realA), 1), lsganLoss(dA.apply(pooledA), 0)), 0.5),
          discriminatorB: tf.mul(tf.add(lsganLoss(dB.apply(realB), 1), lsganLoss(dB.apply(pooledB), 0)), 0.5),
        };
        keep(parts.discriminatorA);
        keep(parts.discriminatorB);
        return tf.add(parts.discriminatorA, parts.discriminatorB);
      }, trainable(variables));
      optimizers.discriminators.applyGradients(variables, grads);
      return parts;
    });
    fakeA.dispose();
    fakeB.dispose();
    kept.length = 0;
    return await readScalars({ ...terms, generatorTotal, ...discriminatorTerms });
  } catch (error) {
    disposeAll(kept);
    throw error;
  }
}

function trainable(variables: ModelVariables): tf.Variable[] {
  return Object.values(variables);
}
