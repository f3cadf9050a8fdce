import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { CycleganTrainingConfig } from '../../config/training-config.js';
import { Rng, type RngState } from '../../util/rng.js';
import type { TrainingEvaluator } from '../eval/training-evaluation.js';
import type { ImagePoolState } from '../image-pool.js';
import type { NamedArrays } from '../optim/optimizer.js';
import { discriminatorAdam } from '../presets.js';
import { learningRateAt } from '../optim/schedule.js';
import { createCycleganSetup, type AdamFactory, type CycleganSetup } from '../setup.js';
import { cycleganStep } from '../steps/cyclegan-step.js';
import { assignWeights, exportGenerator, readWeights } from '../weights.js';
import type { DomainImages, TrainingBatch } from './batch.js';
import { composeGrid, type SampleGrid } from './sample-grid.js';
import type { ExportedGenerator, SessionState, StepOutcome, TrainingSession } from './session.js';
import { pickArrays, prefixArrays, tensorToFloats } from './state-arrays.js';

/** The JSON half of a CycleGAN session's state. */
interface CycleganSessionJson {
  readonly model: 'cyclegan';
  readonly step: number;
  readonly adamIterations: { readonly generators: number; readonly discriminators: number };
  readonly poolRng: { readonly A: PoolRng; readonly B: PoolRng };
}

type PoolRng = { words: RngState; spareNormal: number | null };

/** Images of the last batch, kept on the CPU for the sample grid. */
interface LastBatch {
  readonly a: DomainImages;
  readonly b: DomainImages;
}

/** Images per domain shown in a sample grid (one row each). */
const GRID_IMAGES = 2;

/**
 * A CycleGAN run in progress (SPEC 5): the four networks from `createCycleganSetup` (seeded by the
 * run's seed), Adam with the linear-decay schedule over `config.steps`, and the two image pools.
 */
export class CycleganSession implements TrainingSession {
  private readonly setup: CycleganSetup;
  private steps = 0;
  private last: LastBatch | null = null;

  /** `createAdam`: the backend selection's (the fused WebGPU Adam where our kernels are installed). */
  constructor(
    private readonly config: CycleganTrainingConfig,
    restore: SessionState | null,
    createAdam?: AdamFactory,
  ) {
    this.setup = createCycleganSetup(config.cyclegan, new Rng(`${config.seed}/cyclegan-init`), createAdam);
    if (restore !== null) {
      try {
        this.load(restore);
      } catch (error) {
        this.setup.dispose();
        throw error;
      }
    }
  }

  get step(): number {
    return this.steps;
  }

  async runStep(batch: TrainingBatch): Promise<StepOutcome> {
    const [a, b] = batch.domains;
    const size = this.config.cyclegan.sizePx;
    if (batch.domains.length !== 2 || !fits(a, size) || !fits(b, size)) {
      throw new RangeError(`CycleGAN expects two batches of ${size} px images (A and B)`);
    }
    const preset = this.config.cyclegan;
    const learningRate = learningRateAt(this.steps, this.config.steps, preset.adam.learningRate);
    const discriminatorLearningRate = learningRateAt(
      this.steps,
      this.config.steps,
      discriminatorAdam(preset).learningRate,
    );
    const { models, optimizers, stepOptions } = this.setup;
    optimizers.generators.learningRate = learningRate;
    optimizers.discriminators.learningRate = discriminatorLearningRate;
    const realA = tf.tensor4d(a!.images, [a!.count, size, size, 3]);
    const realB = tf.tensor4d(b!.images, [b!.count, size, size, 3]);
    try {
      const losses = await cycleganStep(models, optimizers, realA, realB, stepOptions);
      this.steps++;
      this.last = { a: a!, b: b! };
      return {
        losses: { ...losses },
        learningRate,
        discriminatorLearningRate,
        pooledImages: stepOptions.fakePools.A.size + stepOptions.fakePools.B.size,
        progan: null,
      };
    } finally {
      tf.dispose([realA, realB]);
    }
  }

  /** Rows: real A | fake B | reconstructed A, then real B | fake A | reconstructed B (last batch). */
  async sampleGrid(): Promise<SampleGrid | null> {
    if (this.last === null) return null;
    const size = this.config.cyclegan.sizePx;
    const { generatorAB: gAB, generatorBA: gBA } = this.setup.models;
    const n = Math.min(GRID_IMAGES, this.last.a.count, this.last.b.count);
    const pick = (d: DomainImages): tf.Tensor4D =>
      tf.tensor4d(d.images.subarray(0, n * size * size * 3), [n, size, size, 3]);
    const triple = (real: tf.Tensor4D, forward: typeof gAB, backward: typeof gAB): tf.Tensor4D[] => {
      const fake = forward.apply(real);
      return [real, fake, backward.apply(fake)];
    };
    const [fromA, fromB] = tf.tidy(() => {
      const a = triple(pick(this.last!.a), gAB, gBA);
      const b = triple(pick(this.last!.b), gBA, gAB);
      return [tf.stack(a, 1), tf.stack(b, 1)] as [tf.Tensor, tf.Tensor];
    });
    const tile = size * size * 3;
    const rows: Float32Array[][] = [];
    for (const images of [fromA, fromB]) {
      const values = await tensorToFloats(images);
      images.dispose();
      for (let i = 0; i < n; i++) {
        rows.push([0, 1, 2].map((k) => values.slice((i * 3 + k) * tile, (i * 3 + k + 1) * tile)));
      }
    }
    const [nameA, nameB] = this.config.domains.map((d) => d.name);
    return composeGrid(rows, size, [
      `real ${nameA} / real ${nameB}`,
      `fake ${nameB} / fake ${nameA}`,
      `reconstructed ${nameA} / reconstructed ${nameB}`,
    ]);
  }

  async saveState(): Promise<SessionState> {
    const { models, optimizers, stepOptions } = this.setup;
    const arrays: NamedArrays = {};
    for (const model of Object.values(models))
      Object.assign(arrays, prefixArrays('weights/', await readWeights(model.variables)));
    const generators = await optimizers.generators.saveState();
    const discriminators = await optimizers.discriminators.saveState();
    Object.assign(arrays, prefixArrays('adam/generators/', generators.slots));
    Object.assign(arrays, prefixArrays('adam/discriminators/', discriminators.slots));
    const poolA = await stepOptions.fakePools.A.getState();
    const poolB = await stepOptions.fakePools.B.getState();
    Object.assign(arrays, prefixArrays('pool/A/', poolA.images), prefixArrays('pool/B/', poolB.images));
    const json: CycleganSessionJson = {
      model: 'cyclegan',
      step: this.steps,
      adamIterations: { generators: generators.iterations, discriminators: discriminators.iterations },
      poolRng: { A: poolA.rng, B: poolB.rng },
    };
    return { json: { ...json }, arrays };
  }

  evaluate(evaluator: TrainingEvaluator): Promise<Readonly<Record<string, number>>> {
    return evaluator.evaluateCyclegan(this.setup.models);
  }

  async exportGenerators(folder: string): Promise<ExportedGenerator[]> {
    const { generatorAB, generatorBA } = this.setup.models;
    const architecture = { model: 'cyclegan-generator', config: this.config.cyclegan.generator } as const;
    const out: ExportedGenerator[] = [];
    for (const [name, generator] of [
      ['generatorAB', generatorAB],
      ['generatorBA', generatorBA],
    ] as const) {
      const target = join(folder, name);
      await exportGenerator(generator, architecture, target);
      out.push({ name, folder: target });
    }
    return out;
  }

  dispose(): void {
    this.setup.dispose();
  }

  private load(state: SessionState): void {
    const json = state.json as unknown as CycleganSessionJson;
    if (json.model !== 'cyclegan' || !Number.isSafeInteger(json.step) || json.step < 0) {
      throw new RangeError('The checkpoint does not hold a CycleGAN session');
    }
    const { models, optimizers, stepOptions } = this.setup;
    for (const model of Object.values(models)) {
      assignWeights(model.variables, pickArrays(state.arrays, 'weights/', model.scope + '/'));
    }
    optimizers.generators.loadState({
      iterations: json.adamIterations.generators,
      slots: pickArrays(state.arrays, 'adam/generators/'),
    });
    optimizers.discriminators.loadState({
      iterations: json.adamIterations.discriminators,
      slots: pickArrays(state.arrays, 'adam/discriminators/'),
    });
    const pool = (domain: 'A' | 'B'): ImagePoolState => ({
      rng: json.poolRng[domain],
      images: pickArrays(state.arrays, `pool/${domain}/`),
    });
    stepOptions.fakePools.A.setState(pool('A'));
    stepOptions.fakePools.B.setState(pool('B'));
    this.steps = json.step;
  }
}

function fits(d: DomainImages | undefined, size: number): boolean {
  return d !== undefined && d.sizePx === size && d.count > 0 && d.images.length === d.count * size * size * 3;
}
