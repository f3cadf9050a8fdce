/**
 * WebGPU training benchmark: our kernels (fused instance norm, fused Adam, implicit-GEMM convolutions)
 * against tfjs-backend-webgpu's stock kernels in one run, switched with installWebgpuKernels.
 * Parts: `conv` times every CycleGAN convolution kernel per layer; `train` runs training iterations per
 * model and prints seconds, dispatches, submits and uploads per iteration with the stock/ours ratio.
 * Run: `npm run bench -- train --backend webgpu [--preset tiny|small|paper]`, or directly
 * `node --import tsx bench/train-webgpu.ts --preset tiny --allow-software` (lavapipe: slow, tiny only).
 * The GPU check kit (scripts/gpu-kit.sh, docs/gpu-check.md) runs a bundle of this file.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initWebgpuBackend } from '../src-main/core/training/backend/webgpu/init.js';
import { findLavapipeIcd } from '../src-main/core/training/backend/webgpu/vulkan-loader.js';
import { benchConvKernels, CONV_VARIANTS, type ConvVariant } from './webgpu/conv-bench.js';
import type { CycleganShape } from './webgpu/conv-layers.js';
import {
  benchTrainIterations,
  TRAIN_VARIANTS,
  type TrainFigures,
  type TrainModel,
  type TrainVariant,
} from './webgpu/train-iterations.js';

/** Model sizes: `paper` is SPEC 5's CycleGAN (256 px, ngf 64, 9 blocks, batch 1). */
export const WEBGPU_BENCH_PRESETS: Readonly<Record<string, CycleganShape>> = {
  tiny: { sizePx: 32, ngf: 8, ndf: 8, residualBlocks: 1, batch: 1 },
  small: { sizePx: 64, ngf: 16, ndf: 16, residualBlocks: 3, batch: 1 },
  paper: { sizePx: 256, ngf: 64, ndf: 64, residualBlocks: 9, batch: 1 },
};

export interface TrainWebgpuBenchOptions {
  readonly preset: keyof typeof WEBGPU_BENCH_PRESETS | string;
  readonly parts: readonly ('conv' | 'train')[];
  /** Accept a software adapter (lavapipe); the .cache/lavapipe ICD is used when VK_ICD_FILENAMES is unset. */
  readonly allowSoftware: boolean;
  /**
   * Dawn options, e.g. ['backend=null']: Dawn's null backend validates and records every call but runs
   * nothing, which isolates the CPU cost of issuing an iteration (it caps allocations at a few hundred MB).
   */
  readonly dawnOptions: readonly string[];
  readonly convVariants: readonly ConvVariant[];
  /** Wall time per kernel measurement (ms) and its cap in runs. */
  readonly convMinMs: number;
  readonly convMaxReps: number;
  /** Timed training iterations per model and variant, after `warmup` untimed ones. */
  readonly iterations: number;
  readonly warmup: number;
  /**
   * Record nothing (tfjs's WEBGPU_ENGINE_COMPILE_ONLY): counts dispatches of models too big to execute
   * on a software adapter, e.g. the paper CycleGAN on lavapipe.
   */
  readonly compileOnly: boolean;
  readonly models: readonly TrainModel[];
  readonly trainVariants: readonly TrainVariant[];
  /** ProGAN resolution to train at; default 256 for the paper preset, else the preset's largest. */
  readonly proganResolution?: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_TRAIN_WEBGPU_BENCH: TrainWebgpuBenchOptions = {
  preset: 'tiny',
  parts: ['conv', 'train'],
  allowSoftware: false,
  dawnOptions: [],
  convVariants: CONV_VARIANTS,
  convMinMs: 200,
  convMaxReps: 50,
  iterations: 3,
  warmup: 1,
  compileOnly: false,
  models: ['cyclegan', 'progan'],
  trainVariants: TRAIN_VARIANTS,
  log: (line) => console.error(line),
};

/** Runs the benchmark; progress goes to `log`, the figures are returned (the dispatcher prints them). */
export async function runTrainWebgpuBench(
  overrides: Partial<TrainWebgpuBenchOptions> = {},
): Promise<Record<string, unknown>> {
  const options = { ...DEFAULT_TRAIN_WEBGPU_BENCH, ...overrides };
  const shape = WEBGPU_BENCH_PRESETS[options.preset];
  if (!shape)
    throw new Error(`unknown preset '${options.preset}' (${Object.keys(WEBGPU_BENCH_PRESETS).join(', ')})`);
  const repoRoot = fileURLToPath(new URL('../', import.meta.url));
  const icd = options.allowSoftware && !process.env.VK_ICD_FILENAMES ? findLavapipeIcd(repoRoot) : null;
  const init = await initWebgpuBackend({
    allowFallbackAdapter: options.allowSoftware,
    dawnOptions: options.dawnOptions,
    ...(icd ? { vulkanIcdFile: icd } : {}),
  });
  if (!init.ok) throw new Error(`webgpu backend unavailable: ${init.reason}`);
  await tf.setBackend('webgpu');
  await tf.ready();
  options.log(
    `device: ${init.device}${init.isFallbackAdapter ? ' (software adapter)' : ''}; preset ${options.preset}`,
  );
  const result: Record<string, unknown> = {
    device: init.device,
    softwareAdapter: init.isFallbackAdapter,
    preset: options.preset,
    shape,
  };
  if (options.parts.includes('conv')) {
    result.conv = await benchConvKernels({
      shape,
      minMs: options.convMinMs,
      maxReps: options.convMaxReps,
      variants: options.convVariants,
      log: options.log,
    });
  }
  if (options.parts.includes('train')) {
    const figures: TrainFigures[] = [];
    for (const model of options.models) {
      for (const variant of options.trainVariants) {
        figures.push(
          await benchTrainIterations(variant, {
            model,
            preset: options.preset,
            resolution:
              model === 'progan'
                ? (options.proganResolution ?? (options.preset === 'paper' ? 256 : undefined))
                : undefined,
            iterations: options.iterations,
            warmup: options.warmup,
            compileOnly: options.compileOnly,
            log: options.log,
          }),
        );
      }
    }
    const train = { compileOnly: options.compileOnly, figures, ratios: trainRatios(figures) };
    for (const f of figures) {
      options.log(
        `${f.model.padEnd(8)} ${f.variant.padEnd(5)} ${f.secondsPerIteration.toFixed(3).padStart(8)} s/it  ` +
          `${String(f.dispatches).padStart(6)} dispatches  ${String(f.submits).padStart(4)} submits  ` +
          `${String(f.uploads).padStart(5)} uploads (${f.uploadMiB} MiB)  ${f.bufferCreates} buffer creations  [${f.detail}]`,
      );
    }
    result.train = train;
    for (const [key, ratio] of Object.entries(train.ratios)) options.log(`${key}: ${ratio}`);
  }
  return result;
}

/** Speed-up and dispatch reduction of `ours` over the other variants, per model. */
function trainRatios(figures: readonly TrainFigures[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ours of figures.filter((f) => f.variant === 'ours')) {
    for (const base of figures.filter((f) => f.model === ours.model && f.variant !== 'ours')) {
      const speed = base.secondsPerIteration / ours.secondsPerIteration;
      const dispatches = base.dispatches / ours.dispatches;
      // Same seed: the first iteration's losses must agree (to float rounding) whatever the kernels.
      const lossDiff = Math.max(
        ...Object.entries(base.firstLosses).map(([k, v]) => Math.abs(v - (ours.firstLosses[k] ?? NaN))),
      );
      out[`${ours.model} ${base.variant}/ours`] =
        `${speed.toFixed(2)}x time, ${dispatches.toFixed(2)}x dispatches, ${base.submits}/${ours.submits} ` +
        `submits, first-iteration losses differ by ${lossDiff.toExponential(1)}`;
    }
  }
  return out;
}

/** Parses `--preset paper --parts conv,train --allow-software --json FILE` style arguments. */
export function parseTrainWebgpuArgs(
  argv: readonly string[],
): Partial<TrainWebgpuBenchOptions> & { json?: string } {
  const out: { -readonly [K in keyof TrainWebgpuBenchOptions]?: TrainWebgpuBenchOptions[K] } & {
    json?: string;
  } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--preset') out.preset = value();
    else if (arg === '--parts') out.parts = value().split(',') as TrainWebgpuBenchOptions['parts'];
    else if (arg === '--allow-software') out.allowSoftware = true;
    else if (arg === '--dawn') out.dawnOptions = value().split(',');
    else if (arg === '--conv-variants') out.convVariants = value().split(',') as ConvVariant[];
    else if (arg === '--conv-min-ms') out.convMinMs = Number(value());
    else if (arg === '--conv-max-reps') out.convMaxReps = Number(value());
    else if (arg === '--iterations') out.iterations = Number(value());
    else if (arg === '--warmup') out.warmup = Number(value());
    else if (arg === '--compile-only') out.compileOnly = true;
    else if (arg === '--models') out.models = value().split(',') as TrainModel[];
    else if (arg === '--variants') out.trainVariants = value().split(',') as TrainVariant[];
    else if (arg === '--progan-resolution') out.proganResolution = Number(value());
    else if (arg === '--json') out.json = value();
    else if (arg === '--backend')
      value(); // the dispatcher's selector; always webgpu here
    else throw new Error(`unknown argument ${arg}`);
  }
  return out;
}

/** The bench dispatcher's entry (`npm run bench -- train --backend webgpu ...`): prints JSON, returns 0. */
export async function run(args: readonly string[]): Promise<number> {
  const { json, ...options } = parseTrainWebgpuArgs(args);
  const result = await runTrainWebgpuBench(options);
  const text = JSON.stringify(result, null, 2);
  if (json) writeFileSync(json, text);
  console.log(text);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2));
}
