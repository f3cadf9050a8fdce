import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProganTrainingConfig } from '../../config/training-config.js';
import { Rng, type RngState } from '../../util/rng.js';
import { Adam } from '../optim/adam.js';
import { discriminatorAdam } from '../presets.js';
import type { NamedArrays } from '../optim/optimizer.js';
import { createProganSetup, type AdamFactory, type ProganSetup } from '../setup.js';
import { proganStep, type ProganOptimizers } from '../steps/progan-step.js';
import { assignWeights, exportGenerator, readWeights } from '../weights.js';
import type { TrainingBatch } from './batch.js';
import { proganPositionAt, type ProganPosition } from './progan-schedule.js';
import { composeGrid, type SampleGrid } from './sample-grid.js';
import type { ExportedGenerator, SessionState, StepOutcome, TrainingSession } from './session.js';
import { pickArrays, prefixArrays, tensorToFloats } from './state-arrays.js';
import type { TrainingEvaluator } from '../eval/training-evaluation.js';

interface ProganSessionJson {
  readonly model: 'progan';
  readonly step: number;
  readonly imagesSeen: number;
  /** Phase the optimisers belong to (they are new at every phase, as the original resets them). */
  readonly optimizerPhase: number;
  readonly adamIterations: { readonly generator: number; readonly discriminator: number };
  readonly rng: { words: RngState; spareNormal: number | null };
}

/** Fakes in a sample grid: a fixed 4 x 4 set of latents. */
const GRID_SIDE = 4;

/**
 * A ProGAN run in progress (SPEC 6): generator, critic and EMA generator, progressive growing driven by
 * the number of real images seen (proganPositionAt), Adam reset at every phase change, and one Rng for
 * latents, penalty mixing and mirroring whose state is checkpointed.
 */
export class ProganSession implements TrainingSession {
  private readonly setup: ProganSetup;
  private optimizers: ProganOptimizers;
  private optimizerPhase = 0;
  private readonly rng: Rng;
  private readonly gridLatents: Float32Array;
  private steps = 0;
  private imagesSeen = 0;

  private readonly createAdam: AdamFactory;

  /** `createAdam`: the backend selection's (the fused WebGPU Adam where our kernels are installed). */
  constructor(
    private readonly config: ProganTrainingConfig,
    restore: SessionState | null,
    createAdam: AdamFactory = (options) => new Adam(options),
  ) {
    this.createAdam = createAdam;
    this.setup = createProganSetup(config.progan, new Rng(`${config.seed}/progan-init`), createAdam);
    this.optimizers = this.setup.optimizers;
    this.rng = new Rng(`${config.seed}/progan-steps`);
    const latents = new Rng(`${config.seed}/progan-samples`);
    const latentSize = config.progan.network.latentSize;
    this.gridLatents = Float32Array.from({ length: GRID_SIDE * GRID_SIDE * latentSize }, () =>
      latents.normal(),
    );
    if (restore !== null) {
      try {
        this.load(restore);
      } catch (error) {
        this.dispose();
        throw error;
      }
    }
  }

  get step(): number {
    return this.steps;
  }

  /** Phase, alpha and minibatch of the next step. */
  get position(): ProganPosition {
    return proganPositionAt(this.config.progan, this.imagesSeen);
  }

  async runStep(batch: TrainingBatch): Promise<StepOutcome> {
    const position = this.position;
    const { resolution } = position.phase;
    const images = batch.domains[0];
    if (
      batch.domains.length !== 1 ||
      images === undefined ||
      images.sizePx !== resolution ||
      images.count !== position.batchSize ||
      images.images.length !== images.count * resolution * resolution * 3
    ) {
      throw new RangeError(
        `ProGAN expects ${position.batchSize} images of ${resolution} px now (phase ${position.phase.index})`,
      );
    }
    if (position.phase.index !== this.optimizerPhase) this.resetOptimizers(position.phase.index);
    const reals = tf.tensor4d(images.images, [images.count, resolution, resolution, 3]);
    try {
      const p = this.config.progan;
      const losses = await proganStep(this.setup.models, this.optimizers, reals, {
        resolution,
        alpha: position.alpha,
        rng: this.rng,
        lambda: p.lambda,
        gamma: p.gamma,
        drift: p.drift,
        mirror: p.mirror,
        emaDecay: p.emaDecay,
      });
      this.steps++;
      this.imagesSeen += images.count;
      return {
        losses: { ...losses },
        learningRate: this.optimizers.generator.learningRate,
        discriminatorLearningRate: this.optimizers.discriminator.learningRate,
        pooledImages: 0,
        progan: {
          resolution,
          alpha: position.alpha,
          phase: position.phase.index,
          fading: position.phase.fading,
          imagesSeen: this.imagesSeen,
        },
      };
    } finally {
      reals.dispose();
    }
  }

  /** A 4 x 4 grid of the EMA generator's images from fixed latents, at the current resolution and alpha. */
  async sampleGrid(): Promise<SampleGrid | null> {
    const { phase, alpha } = this.position;
    const latentSize = this.config.progan.network.latentSize;
    const fakes = tf.tidy(() =>
      this.setup.models.generatorEma.apply(
        tf.tensor2d(this.gridLatents, [GRID_SIDE * GRID_SIDE, latentSize]),
        phase.resolution,
        alpha,
      ),
    );
    const values = await tensorToFloats(fakes);
    fakes.dispose();
    const tile = phase.resolution * phase.resolution * 3;
    const rows = Array.from({ length: GRID_SIDE }, (_, r) =>
      Array.from({ length: GRID_SIDE }, (_, c) =>
        values.slice((r * GRID_SIDE + c) * tile, (r * GRID_SIDE + c + 1) * tile),
      ),
    );
    return composeGrid(rows, phase.resolution, [
      `EMA generator, ${phase.resolution} px${phase.fading ? `, fading in (alpha ${alpha.toFixed(2)})` : ''}`,
    ]);
  }

  async saveState(): Promise<SessionState> {
    const { models } = this.setup;
    const arrays: NamedArrays = {};
    for (const model of [models.generator, models.discriminator, models.generatorEma]) {
      Object.assign(arrays, prefixArrays('weights/', await readWeights(model.variables)));
    }
    const generator = await this.optimizers.generator.saveState();
    const discriminator = await this.optimizers.discriminator.saveState();
    Object.assign(arrays, prefixArrays('adam/generator/', generator.slots));
    Object.assign(arrays, prefixArrays('adam/discriminator/', discriminator.slots));
    const json: ProganSessionJson = {
      model: 'progan',
      step: this.steps,
      imagesSeen: this.imagesSeen,
      optimizerPhase: this.optimizerPhase,
      adamIterations: { generator: generator.iterations, discriminator: discriminator.iterations },
      rng: this.rng.getState(),
    };
    return { json: { ...json }, arrays };
  }

  /** SWD of the EMA generator at the resolution and fade-in of the next step. */
  evaluate(evaluator: TrainingEvaluator): Promise<Readonly<Record<string, number>>> {
    const { phase, alpha } = this.position;
    return evaluator.evaluateProgan(this.setup.models.generatorEma, phase.resolution, alpha);
  }

  /** Writes the EMA generator (the one to sample from) and where growing stands. */
  async exportGenerators(folder: string): Promise<ExportedGenerator[]> {
    const target = join(folder, 'generatorEma');
    await exportGenerator(
      this.setup.models.generatorEma,
      { model: 'progan-generator', config: this.config.progan.network },
      target,
    );
    const { phase, alpha } = this.position;
    const trained = { resolution: phase.resolution, alpha, imagesSeen: this.imagesSeen, step: this.steps };
    await writeFile(join(target, 'training.json'), `${JSON.stringify(trained, null, 2)}\n`);
    return [{ name: 'generatorEma', folder: target }];
  }

  dispose(): void {
    if (this.optimizers !== this.setup.optimizers) {
      this.optimizers.generator.dispose();
      this.optimizers.discriminator.dispose();
    }
    this.setup.dispose();
  }

  private resetOptimizers(phase: number): void {
    if (this.optimizers !== this.setup.optimizers) {
      this.optimizers.generator.dispose();
      this.optimizers.discriminator.dispose();
    } else {
      this.setup.optimizers.generator.dispose();
      this.setup.optimizers.discriminator.dispose();
    }
    const preset = this.config.progan;
    this.optimizers = {
      generator: this.createAdam(preset.adam),
      discriminator: this.createAdam(discriminatorAdam(preset)),
    };
    this.optimizerPhase = phase;
  }

  private load(state: SessionState): void {
    const json = state.json as unknown as ProganSessionJson;
    if (
      json.model !== 'progan' ||
      !Number.isSafeInteger(json.step) ||
      !Number.isSafeInteger(json.imagesSeen)
    ) {
      throw new RangeError('The checkpoint does not hold a ProGAN session');
    }
    const { models } = this.setup;
    for (const model of [models.generator, models.discriminator, models.generatorEma]) {
      assignWeights(model.variables, pickArrays(state.arrays, 'weights/', model.scope + '/'));
    }
    if (json.optimizerPhase !== this.optimizerPhase) this.resetOptimizers(json.optimizerPhase);
    this.optimizers.generator.loadState({
      iterations: json.adamIterations.generator,
      slots: pickArrays(state.arrays, 'adam/generator/'),
    });
    this.optimizers.discriminator.loadState({
      iterations: json.adamIterations.discriminator,
      slots: pickArrays(state.arrays, 'adam/discriminator/'),
    });
    this.rng.setState(json.rng);
    this.steps = json.step;
    this.imagesSeen = json.imagesSeen;
  }
}
