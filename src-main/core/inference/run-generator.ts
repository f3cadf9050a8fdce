import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FieldOfView, TrainingConfig } from '../config/training-config.js';
import { createCycleganGenerator, type CycleganGenerator } from '../training/models/cyclegan.js';
import type { InitialValues } from '../training/models/parameters.js';
import { createProganGenerator, type ProganGenerator } from '../training/models/progan.js';
import type { NamedArrays } from '../training/optim/optimizer.js';
import { readLatestCheckpoint } from '../training/runs/checkpoints.js';
import { RunError } from '../training/runs/errors.js';
import { runPaths } from '../training/runs/layout.js';
import { unpackArrays } from '../training/runs/packed-arrays.js';
import { readRunConfig } from '../training/runs/run-config.js';
import { scaleAtResolution } from '../training/trainer/batch-feeder.js';
import { proganPositionAt } from '../training/trainer/progan-schedule.js';
import { pickArrays } from '../training/trainer/state-arrays.js';
import { InferenceError } from './errors.js';
import {
  generatorDigest,
  loadCycleganGenerator,
  loadProganGenerator,
  readProganExportState,
} from './generator-folder.js';

/** Which CycleGAN generator of a run: A -> B (generatorAB) or B -> A (generatorBA). */
export type CycleDirection = 'AtoB' | 'BtoA';

/** Where a run's generator came from: its latest checkpoint, or `export/` when it has none. */
export interface RunGeneratorSource {
  readonly runDir: string;
  readonly config: TrainingConfig;
  /** The checkpoint's step, or null for an export. */
  readonly step: number | null;
  /** The checkpoint or export folder. */
  readonly folder: string;
  /** Identifies the weights (for resuming a translation only with the same ones). */
  readonly digest: string;
}

export interface RunCycleganGenerator extends RunGeneratorSource {
  readonly generator: CycleganGenerator;
  readonly direction: CycleDirection;
  /** Domain names, source and target of the direction. */
  readonly from: string;
  readonly to: string;
  /** The field of view the run trained at. */
  readonly scale: FieldOfView;
  readonly sizePx: number;
}

export interface RunProganGenerator extends RunGeneratorSource {
  /** The EMA generator. */
  readonly generator: ProganGenerator;
  /** How far growing got, and the field of view of patches at that resolution. */
  readonly resolution: number;
  readonly alpha: number;
  readonly scale: FieldOfView;
}

/**
 * Loads a CycleGAN generator of a training run: from the latest checkpoint (`checkpoints/latest`), else
 * from `export/generatorAB|BA` of a run that has none. Errors name the run folder or file: not a run
 * (RunError NO_RUN / BAD_RUN), a ProGAN run (InferenceError BAD_GENERATOR), a damaged checkpoint.
 */
export async function loadRunCycleganGenerator(
  runDir: string,
  direction: CycleDirection,
  scope = 'generator',
): Promise<RunCycleganGenerator> {
  const { config } = await readRunConfig(runDir);
  if (config.model !== 'cyclegan') {
    throw new InferenceError(
      'BAD_GENERATOR',
      `This is a ${config.model} run; translation needs a CycleGAN run`,
      runDir,
    );
  }
  const name = direction === 'AtoB' ? 'generatorAB' : 'generatorBA';
  const [a, b] = [config.domains[0]!.name, config.domains[1]!.name];
  const common = {
    runDir,
    config,
    direction,
    from: direction === 'AtoB' ? a : b,
    to: direction === 'AtoB' ? b : a,
    scale: config.sampling.scale,
    sizePx: config.sampling.sizePx,
  };
  const checkpoint = await latestCheckpointArrays(runDir);
  if (checkpoint) {
    const arrays = pickArrays(checkpoint.arrays, 'weights/', `${name}/`);
    const generator = createCycleganGenerator(
      config.cyclegan.generator,
      valuesFrom(arrays, name, scope, checkpoint.folder),
      scope,
    );
    return {
      ...common,
      generator,
      step: checkpoint.step,
      folder: checkpoint.folder,
      digest: digestOf(arrays),
    };
  }
  const folder = join(runPaths(runDir).export, name);
  const generator = await loadCycleganGenerator(folder, scope);
  return { ...common, generator, step: null, folder, digest: await generatorDigest(folder) };
}

/**
 * Loads the EMA generator of a ProGAN run from its latest checkpoint (else `export/generatorEma`), with
 * the resolution and fade-in growing had reached and the field of view of patches at that resolution.
 */
export async function loadRunProganGenerator(
  runDir: string,
  scope = 'generator',
): Promise<RunProganGenerator> {
  const { config } = await readRunConfig(runDir);
  if (config.model !== 'progan') {
    throw new InferenceError(
      'BAD_GENERATOR',
      `This is a ${config.model} run; generating needs a ProGAN run`,
      runDir,
    );
  }
  const scaleAt = (resolution: number): FieldOfView =>
    scaleAtResolution(config.sampling.scale, config.sampling.sizePx, resolution);
  const checkpoint = await latestCheckpointArrays(runDir);
  if (checkpoint) {
    const imagesSeen = (checkpoint.session as { imagesSeen?: unknown }).imagesSeen;
    if (typeof imagesSeen !== 'number') {
      throw new InferenceError(
        'BAD_GENERATOR',
        'The checkpoint does not say how many images it saw',
        checkpoint.folder,
      );
    }
    const position = proganPositionAt(config.progan, imagesSeen);
    const arrays = pickArrays(checkpoint.arrays, 'weights/', 'generatorEma/');
    const generator = createProganGenerator(
      config.progan.network,
      valuesFrom(arrays, 'generatorEma', scope, checkpoint.folder),
      scope,
    );
    const resolution = position.phase.resolution;
    return {
      runDir,
      config,
      generator,
      step: checkpoint.step,
      folder: checkpoint.folder,
      digest: digestOf(arrays),
      resolution,
      alpha: position.alpha,
      scale: scaleAt(resolution),
    };
  }
  const folder = join(runPaths(runDir).export, 'generatorEma');
  const state = await readProganExportState(folder);
  const generator = await loadProganGenerator(folder, scope);
  const resolution = state?.resolution ?? generator.config.maxResolution;
  return {
    runDir,
    config,
    generator,
    step: null,
    folder,
    digest: await generatorDigest(folder),
    resolution,
    alpha: state?.alpha ?? 1,
    scale: scaleAt(resolution),
  };
}

/** The latest checkpoint's arrays and session JSON, or null when the run has none yet. */
async function latestCheckpointArrays(
  runDir: string,
): Promise<{ arrays: NamedArrays; step: number; folder: string; session: Record<string, unknown> } | null> {
  try {
    const checkpoint = await readLatestCheckpoint(runDir);
    return {
      arrays: unpackArrays(checkpoint.arrays),
      step: checkpoint.step,
      folder: checkpoint.folder,
      session: (checkpoint.parts['session'] ?? {}) as Record<string, unknown>,
    };
  } catch (error) {
    if (error instanceof RunError && error.code === 'NO_CHECKPOINT') return null;
    throw error;
  }
}

/** Initial values from checkpoint arrays saved under `savedScope/...`, for a model built under `scope`. */
function valuesFrom(arrays: NamedArrays, savedScope: string, scope: string, folder: string): InitialValues {
  return (spec) => {
    const local = spec.name.slice(scope.length + 1);
    const a = arrays[`${savedScope}/${local}`];
    const size = spec.shape.reduce((n, d) => n * d, 1);
    if (!a || a.data.length !== size) {
      throw new InferenceError(
        'BAD_GENERATOR',
        `The checkpoint lacks ${savedScope}/${local} of the run's model`,
        folder,
      );
    }
    return a.data;
  };
}

function digestOf(arrays: NamedArrays): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(arrays).sort()) {
    const { data } = arrays[name]!;
    hash.update(name);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex').slice(0, 32);
}
