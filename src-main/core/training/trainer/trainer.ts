import { mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { checkTrainingConfig, type TrainingConfig } from '../../config/training-config.js';
import { pruneCheckpoints, readLatestCheckpoint } from '../runs/checkpoints.js';
import { RunError } from '../runs/errors.js';
import { filterJsonl } from '../runs/jsonl.js';
import { runPaths } from '../runs/layout.js';
import type { StepMetrics } from '../runs/metrics.js';
import type { FedPatch } from '../runs/patches.js';
import { newRunConfigFile, readRunConfig, writeRunConfig } from '../runs/run-config.js';
import { removeSamplesAfter } from '../runs/samples.js';
import type { DataCheckpoint } from './batch-feeder.js';
import type { BatchSource } from './batch-source.js';
import { runTraining } from './run-training.js';
import { stoppedBeforeTraining, TrainingJob, type TrainerDeps } from './training-job.js';

export {
  TrainingJob,
  type FedPatches,
  type OpenBatchSource,
  type TrainerDeps,
  type TrainingEventMap,
  type TrainingResult,
} from './training-job.js';
export { TrainerWorkerError } from './run-training.js';

export interface StartTrainingRequest {
  /** A complete config (resolveTrainingConfig); checked again here. */
  readonly config: TrainingConfig;
  /** The run folder; created, and must be empty if it exists. */
  readonly runDir: string;
  /** Stop gracefully (checkpoint, export) once this many steps are done. */
  readonly stopAtStep?: number;
}

export interface ResumeTrainingRequest {
  readonly runDir: string;
  /** Train to this many steps in all (default: the config's; the learning-rate decay follows it). */
  readonly steps?: number;
  readonly stopAtStep?: number;
}

/**
 * Starts a new run in `runDir`. The config and the dataset (slides, masks, usable slides per domain)
 * are checked before the training worker starts; a run that fails before training leaves no folder.
 */
export function startTraining(
  request: Readonly<StartTrainingRequest>,
  deps: Readonly<TrainerDeps>,
): TrainingJob {
  return new TrainingJob(async (job, signal) => {
    const config = checkTrainingConfig(request.config);
    const created = await prepareNewRunFolder(request.runDir);
    let configWritten = false;
    try {
      const source = await deps.openSource(config, null, { signal, onEvent: (e) => job.emit('data', e) });
      return await runTraining(job, deps, {
        config,
        runDir: request.runDir,
        source,
        restore: null,
        stopAtStep: request.stopAtStep ?? null,
        writeConfig: async (backend) => {
          await writeRunConfig(request.runDir, newRunConfigFile(config, backend, versions(deps)));
          configWritten = true;
        },
      });
    } catch (error) {
      if (!configWritten) await removeUnstartedRun(request.runDir, created);
      if (signal.aborted) return stoppedBeforeTraining(request.runDir, 0);
      throw error;
    }
  });
}

/**
 * Continues a run from its latest checkpoint: weights, optimiser state, step and schedule, image pools,
 * ProGAN phase, random states and the sampler's position. Metrics, patches and samples after the
 * checkpoint (from a run that crashed) are dropped, as those steps are trained again.
 */
export function resumeTraining(
  request: Readonly<ResumeTrainingRequest>,
  deps: Readonly<TrainerDeps>,
): TrainingJob {
  return new TrainingJob(async (job, signal) => {
    const { runDir } = request;
    const file = await readRunConfig(runDir);
    const checkpoint = await readLatestCheckpoint(runDir);
    const steps = request.steps ?? file.config.steps;
    if (!Number.isSafeInteger(steps) || steps <= 0) {
      throw new RunError('BAD_RUN', `Expected a positive integer number of steps but received ${steps}`);
    }
    if (checkpoint.step >= steps) {
      throw new RunError(
        'BAD_RUN',
        `The run has already trained ${checkpoint.step} of ${steps} steps; give more steps to continue it`,
        runDir,
      );
    }
    const config = checkTrainingConfig({ ...file.config, steps });
    const data = checkpoint.parts['data'] as DataCheckpoint | undefined;
    const session = checkpoint.parts['session'] as Record<string, unknown> | undefined;
    if (!data || !session || data.batchIndex !== checkpoint.step) {
      throw new RunError(
        'BAD_CHECKPOINT',
        'The checkpoint lacks its session or data state',
        checkpoint.folder,
      );
    }
    const paths = runPaths(runDir);
    await pruneCheckpoints(runDir, checkpoint.step, config.keepCheckpoints);
    await filterJsonl<StepMetrics>(paths.metrics, (m) => m.step <= checkpoint.step);
    await filterJsonl<FedPatch>(paths.patches, (p) => p.step <= checkpoint.step);
    await removeSamplesAfter(runDir, checkpoint.step);
    let source: BatchSource;
    try {
      source = await deps.openSource(config, data.source, { signal, onEvent: (e) => job.emit('data', e) });
    } catch (error) {
      if (signal.aborted) return stoppedBeforeTraining(runDir, checkpoint.step);
      throw error;
    }
    return runTraining(job, deps, {
      config,
      runDir,
      source,
      restore: { session: { json: session, arrays: checkpoint.arrays }, data },
      stopAtStep: request.stopAtStep ?? null,
      writeConfig: async (backend) => {
        const resume = { at: new Date().toISOString(), fromStep: checkpoint.step, steps, backend };
        await writeRunConfig(runDir, { ...file, config, resumes: [...file.resumes, resume] });
      },
    });
  });
}

/**
 * A new run goes into a folder that does not exist or is empty, never over another run. Returns whether
 * the folder was created.
 */
async function prepareNewRunFolder(runDir: string): Promise<boolean> {
  const entries = await readdir(runDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new RunError('BAD_RUN', `Cannot use the run folder: ${error.message}`, runDir);
  });
  if (entries.length > 0) {
    throw new RunError(
      'RUN_EXISTS',
      'The run folder is not empty; resume the run it holds or choose another folder',
      runDir,
    );
  }
  return (await mkdir(runDir, { recursive: true })) !== undefined;
}

/** A run that never started training leaves nothing behind (it wrote nothing but empty files). */
async function removeUnstartedRun(runDir: string, created: boolean): Promise<void> {
  if (created) {
    await rm(runDir, { recursive: true, force: true });
    return;
  }
  const paths = runPaths(runDir);
  for (const path of [paths.metrics, paths.patches, paths.export, paths.checkpoints, paths.samples]) {
    await rm(path, { recursive: true, force: true });
  }
}

function versions(deps: Readonly<TrainerDeps>): Record<string, string> {
  // Read from the package, not tf.version: the host thread never loads TensorFlow.js.
  const tfjs = (createRequire(import.meta.url)('@tensorflow/tfjs/package.json') as { version: string })
    .version;
  return { node: process.versions.node, tfjs, ...deps.versions };
}
