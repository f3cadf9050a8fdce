import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { instrumentWebgpu, type WebgpuCensus } from '../../src-main/core/training/backend/webgpu/census.js';
import { installWebgpuKernels } from '../../src-main/core/training/backend/webgpu/install.js';
import { registerTrainingGradients } from '../../src-main/core/training/grads/register.js';
import { Adam } from '../../src-main/core/training/optim/adam.js';
import { cycleganPreset, proganPreset } from '../../src-main/core/training/presets.js';
import {
  createCycleganSetup,
  createProganSetup,
  type AdamFactory,
} from '../../src-main/core/training/setup.js';
import { cycleganStep } from '../../src-main/core/training/steps/cyclegan-step.js';
import { proganStep } from '../../src-main/core/training/steps/progan-step.js';
import { Rng } from '../../src-main/core/util/rng.js';

/**
 * `tfjs`: TF.js as installed (tfjs-core's Mean/Sum gradients, which upload ones(x.shape) from the CPU);
 * `stock`: our gradient replacements (grads/register.ts) with tfjs-backend-webgpu's kernels and the
 * op-level Adam; `ours`: the same plus installWebgpuKernels().
 */
export const TRAIN_VARIANTS = ['tfjs', 'stock', 'ours'] as const;
export type TrainVariant = (typeof TRAIN_VARIANTS)[number];
export type TrainModel = 'cyclegan' | 'progan';

export interface TrainBenchOptions {
  readonly model: TrainModel;
  readonly preset: string;
  /** ProGAN resolution to train at (default: the preset's largest). */
  readonly resolution?: number;
  readonly iterations: number;
  readonly warmup: number;
  readonly compileOnly: boolean;
  readonly log: (line: string) => void;
}

/** Per-iteration figures of one model and variant. */
export interface TrainFigures {
  readonly model: TrainModel;
  readonly variant: TrainVariant;
  readonly detail: string;
  /** Median wall time of the timed iterations (losses read back, so GPU work included). */
  readonly secondsPerIteration: number;
  readonly dispatches: number;
  readonly programs: number;
  readonly submits: number;
  readonly uploads: number;
  readonly uploadMiB: number;
  readonly bufferCreates: number;
  /** Programs per iteration by kind, most frequent first (tfjs program classes and our kernel keys). */
  readonly byProgram: Record<string, number>;
  /** The losses of the first iteration (the same seed for both variants). */
  readonly firstLosses: Record<string, number>;
}

interface Runner {
  readonly detail: string;
  step(): Promise<Record<string, number>>;
  dispose(): void;
}

const SEED = 20_261_126;

function seededImages(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() * 2 - 1);
  return tf.tensor4d(data, shape);
}

function cycleganRunner(preset: string, createAdam: AdamFactory): Runner {
  const p = cycleganPreset(preset);
  const setup = createCycleganSetup(p, new Rng(SEED), createAdam);
  const shape: [number, number, number, number] = [p.batchSize, p.sizePx, p.sizePx, 3];
  const realA = seededImages(shape, SEED + 3);
  const realB = seededImages(shape, SEED + 4);
  return {
    detail: `${p.sizePx} px, ngf ${p.generator.ngf}, ${p.generator.residualBlocks} blocks, batch ${p.batchSize}`,
    step: async () => ({
      ...(await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions)),
    }),
    dispose: () => {
      setup.dispose();
      tf.dispose([realA, realB]);
    },
  };
}

function proganRunner(preset: string, resolution: number | undefined, createAdam: AdamFactory): Runner {
  const p = proganPreset(preset);
  const r = resolution ?? p.network.maxResolution;
  const batch = p.batchSizes[r];
  if (batch === undefined) throw new Error(`progan preset '${preset}' has no resolution ${r}`);
  const setup = createProganSetup(p, new Rng(SEED), createAdam);
  const reals = seededImages([batch, r, r, 3], SEED + 3);
  const rng = new Rng(SEED + 5);
  return {
    detail: `${r} px, batch ${batch}, latent ${p.network.latentSize}, fmapMax ${p.network.fmapMax}`,
    step: async () => ({
      ...(await proganStep(setup.models, setup.optimizers, reals, { resolution: r, alpha: 1, rng, ...p })),
    }),
    dispose: () => {
      setup.dispose();
      reals.dispose();
    },
  };
}

function perIteration(
  samples: readonly WebgpuCensus[],
): Omit<TrainFigures, 'model' | 'variant' | 'detail' | 'secondsPerIteration' | 'firstLosses'> {
  const mean = (f: (c: WebgpuCensus) => number) => samples.reduce((s, c) => s + f(c), 0) / samples.length;
  const keys = new Set(samples.flatMap((c) => Object.keys(c.byProgram)));
  const byProgram = Object.fromEntries(
    [...keys]
      .map((k) => [k, Math.round(mean((c) => c.byProgram[k] ?? 0))] as const)
      .sort((a, b) => b[1] - a[1]),
  );
  return {
    byProgram,
    dispatches: Math.round(mean((c) => c.dispatches)),
    programs: Math.round(mean((c) => c.programs)),
    submits: Math.round(mean((c) => c.submits)),
    uploads: Math.round(mean((c) => c.uploads)),
    uploadMiB: Math.round(mean((c) => c.uploadBytes / 2 ** 20) * 10) / 10,
    bufferCreates: Math.round(mean((c) => c.bufferCreates)),
  };
}

/**
 * Trains one model for warm-up plus timed iterations with our kernels off or on, in this process,
 * from the same seed, and returns seconds and GPU work per iteration. With `compileOnly`, tfjs records
 * nothing (its programs are only compiled), so the time is the JavaScript issue time.
 */
export async function benchTrainIterations(
  variant: TrainVariant,
  options: Readonly<TrainBenchOptions>,
): Promise<TrainFigures> {
  const backend = tf.backend() as WebGPUBackend;
  const restoreGradients = variant === 'tfjs' ? () => {} : registerTrainingGradients();
  const kernels = installWebgpuKernels({ enabled: variant === 'ours' });
  const createAdam: AdamFactory = (o) => kernels.createAdam(o) ?? new Adam(o);
  const runner =
    options.model === 'cyclegan'
      ? cycleganRunner(options.preset, createAdam)
      : proganRunner(options.preset, options.resolution, createAdam);
  const census = instrumentWebgpu(backend);
  const compileFlag = 'WEBGPU_ENGINE_COMPILE_ONLY';
  const seconds: number[] = [];
  const samples: WebgpuCensus[] = [];
  let firstLosses: Record<string, number> = {};
  try {
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      census.reset();
      const t0 = performance.now();
      tf.env().set(compileFlag, options.compileOnly);
      const losses = await runner.step();
      tf.env().set(compileFlag, false);
      if (options.compileOnly) await backend.checkCompileCompletionAsync();
      const elapsed = (performance.now() - t0) / 1000;
      if (i === 0) firstLosses = losses;
      if (i >= options.warmup) {
        seconds.push(elapsed);
        samples.push(census.read());
      }
      options.log(
        `${options.model} ${variant.padEnd(5)} iteration ${i + 1}${i < options.warmup ? ' (warm-up)' : ''}: ` +
          `${elapsed.toFixed(3)} s, ${census.read().dispatches} dispatches`,
      );
    }
  } finally {
    tf.env().set(compileFlag, false);
    census.restore();
    runner.dispose();
    kernels.uninstall();
    restoreGradients();
  }
  seconds.sort((a, b) => a - b);
  return {
    model: options.model,
    variant,
    detail: runner.detail,
    secondsPerIteration: Math.round(seconds[Math.floor(seconds.length / 2)]! * 1e4) / 1e4,
    ...perIteration(samples),
    firstLosses,
  };
}
