import { mkdir } from 'node:fs/promises';
import type { TrainingConfig } from '../../config/training-config.js';
import { startSiblingWorker } from '../../util/worker-url.js';
import { writeCheckpoint } from '../runs/checkpoints.js';
import { JsonlAppender } from '../runs/jsonl.js';
import { runPaths } from '../runs/layout.js';
import type { StepMetrics } from '../runs/metrics.js';
import type { FedPatch } from '../runs/patches.js';
import type { RunBackend } from '../runs/run-config.js';
import { writeSampleGrid } from '../runs/samples.js';
import { BatchFeeder, type DataCheckpoint, type FedBatch } from './batch-feeder.js';
import type { BatchSource, BatchSourceStats } from './batch-source.js';
import type {
  FromTrainer,
  PackedSessionState,
  SerializedError,
  ToTrainer,
  TrainerWorkerData,
} from './protocol.js';
import type { ExportedGenerator } from './session.js';
import {
  stoppedBeforeTraining,
  type TrainerDeps,
  type TrainingJob,
  type TrainingResult,
} from './training-job.js';

/** Batches sent to the worker ahead of the step that uses them (the sampler keeps its own queue too). */
const WORKER_PREFETCH_BATCHES = 2;

/** What a run starts from: the config, an open data source, and a checkpoint when resuming. */
export interface RunPlan {
  readonly config: TrainingConfig;
  readonly runDir: string;
  readonly source: BatchSource;
  readonly restore: { readonly session: PackedSessionState; readonly data: DataCheckpoint } | null;
  readonly stopAtStep: number | null;
  /** Writes config.json once the backend is known. */
  readonly writeConfig: (backend: RunBackend) => Promise<void>;
}

type StepMessage = Extract<FromTrainer, { type: 'step' }>;

/**
 * Runs the training worker and serves it: feeds batches in order, writes metrics, the patch manifest,
 * sample grids and checkpoints (one write at a time), and ends when the worker is done. Closes the
 * source whatever happens.
 */
export async function runTraining(
  job: TrainingJob,
  deps: Readonly<TrainerDeps>,
  plan: RunPlan,
): Promise<TrainingResult> {
  const { config, runDir, source } = plan;
  const paths = runPaths(runDir);
  const startStep = plan.restore?.data.batchIndex ?? 0;
  if (job.stopping) {
    await source.close();
    return stoppedBeforeTraining(runDir, startStep);
  }
  const feeder = new BatchFeeder(
    config,
    source,
    { index: startStep, imagesSeen: plan.restore?.data.imagesSeen ?? 0 },
    Math.min(config.steps, plan.stopAtStep ?? Infinity),
  );
  const evaluation =
    config.evaluation && deps.evaluationSet
      ? await deps
          .evaluationSet({
            // Without held-out folders the evaluations use the training slides, as config.json records
            // (evaluation.heldOut null) and the charts' titles say.
            domains: config.evaluation.heldOut ?? config.domains,
            sizePx: config.sampling.sizePx,
            scale: config.sampling.scale,
            count: config.evaluation.count,
            seed: config.seed,
          })
          .catch(async (error: unknown) => {
            await source.close();
            throw error;
          })
      : null;
  const workerData: TrainerWorkerData = {
    config,
    exportDir: paths.export,
    stopAtStep: plan.stopAtStep,
    allowFallbackAdapter: deps.allowFallbackAdapter ?? false,
    evaluation,
  };
  const worker = startSiblingWorker(import.meta.url, './trainer-worker', { workerData });
  const metrics = new JsonlAppender<StepMetrics>(paths.metrics);
  const patches = new JsonlAppender<FedPatch>(paths.patches);
  const fault = faultStep(deps.env ?? process.env);
  let backendName = '';
  let feeding = false;
  let failure: Error | null = null;
  let writes: Promise<void> = Promise.resolve();
  let lastCheckpoint: string | null = null;
  let lastSample: string | null = null;
  let exported: readonly ExportedGenerator[] = [];

  const fail = (error: Error): void => {
    failure ??= error;
    void worker.terminate();
  };
  /** Serialises file writes (config, samples, checkpoints) and records the first failure. */
  const enqueueWrite = (write: () => Promise<void>): void => {
    writes = writes.then(write).catch((error: Error) => fail(error));
  };

  /** Keeps the worker's queue topped up; batches go in order, so the sequence never depends on timing. */
  const feed = async (): Promise<void> => {
    if (feeding) return;
    feeding = true;
    try {
      while (
        !job.stopping &&
        failure === null &&
        !feeder.exhausted &&
        feeder.ahead < WORKER_PREFETCH_BATCHES
      ) {
        const taken = await feeder.take();
        if (taken === null || job.stopping) return;
        const buffers = taken.batch.domains.map((d) => d.images.buffer as ArrayBuffer);
        worker.postMessage({ type: 'batch', batch: taken.batch } satisfies ToTrainer, buffers);
      }
    } catch (error) {
      fail(error as Error);
    } finally {
      feeding = false;
    }
  };

  const onStep = (m: StepMessage): void => {
    const fed = feeder.consumed(m.batchIndex);
    const record = stepRecord(m, fed, source.stats(), backendName);
    metrics.append([record]);
    if (fed) {
      patches.append(fed.sources.flatMap((b) => b.provenance.map((p) => ({ step: m.step, ...p }))));
      job.emit('patches', { step: m.step, batches: fed.sources.map(({ images: _images, ...rest }) => rest) });
    }
    job.emit('step', record);
    void feed();
  };

  const onCheckpoint = (m: Extract<FromTrainer, { type: 'checkpoint' }>): void => {
    const data = feeder.checkpointData(m.step);
    enqueueWrite(async () => {
      // The metrics and manifest reach at least the checkpoint's step before it exists.
      await metrics.flush();
      await patches.flush();
      const folder = await writeCheckpoint(
        runDir,
        { step: m.step, parts: { session: m.state.json, data }, arrays: m.state.arrays },
        {
          keep: config.keepCheckpoints,
          midWrite: (step) => {
            if (fault === 'any' || fault === step) process.kill(process.pid, 'SIGKILL');
          },
        },
      );
      lastCheckpoint = folder;
      job.emit('checkpoint', { step: m.step, folder });
    });
  };

  const onBackend = (m: Extract<FromTrainer, { type: 'backend' }>): void => {
    const backend: RunBackend = {
      requested: config.backend,
      chosen: m.selection.name,
      device: m.selection.device,
      reasons: m.selection.reasons,
    };
    backendName = m.selection.name;
    job.emit('backend', backend);
    enqueueWrite(async () => {
      await mkdir(paths.root, { recursive: true });
      await plan.writeConfig(backend);
    });
    const restore = plan.restore?.session ?? null;
    worker.postMessage(
      { type: 'start', restore } satisfies ToTrainer,
      restore ? [restore.arrays.buffer] : [],
    );
    job.attachWorker(worker);
    job.emit('started', { runDir, step: startStep, steps: config.steps, config });
    void feed();
  };

  try {
    const end = await new Promise<{ step: number; reason: 'completed' | 'stopped' }>((resolve, reject) => {
      worker.on('message', (m: FromTrainer) => {
        switch (m.type) {
          case 'backend':
            return onBackend(m);
          case 'ready':
            return;
          case 'step':
            return onStep(m);
          case 'sample':
            return enqueueWrite(async () => {
              lastSample = await writeSampleGrid(runDir, m.step, m.grid);
              job.emit('sample', { step: m.step, path: lastSample });
            });
          case 'checkpoint':
            return onCheckpoint(m);
          case 'exported':
            exported = m.generators;
            job.emit('exported', m.generators);
            return;
          case 'done':
            return resolve({ step: m.step, reason: m.reason });
          case 'error':
            return reject(new TrainerWorkerError(m.error));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        reject(failure ?? new Error(`The training worker stopped unexpectedly (exit code ${code})`)),
      );
    });
    await writes;
    if (failure) throw failure;
    return { runDir, ...end, checkpoint: lastCheckpoint, sample: lastSample, exported };
  } catch (error) {
    await writes.catch(() => undefined);
    throw failure ?? error;
  } finally {
    await worker.terminate();
    await source.close();
    await metrics.close().catch(() => undefined);
    await patches.close().catch(() => undefined);
  }
}

/** The metrics line of a step: the worker's figures plus the data supply's. */
function stepRecord(
  m: StepMessage,
  fed: FedBatch | undefined,
  supply: BatchSourceStats,
  backend: string,
): StepMetrics {
  return {
    step: m.step,
    time: new Date().toISOString(),
    losses: m.outcome.losses,
    learningRate: m.outcome.learningRate,
    discriminatorLearningRate: m.outcome.discriminatorLearningRate,
    stepMs: round(m.stepMs),
    dataWaitMs: round(m.dataWaitMs),
    images: m.images,
    imagesPerSecond: round((m.images * 1000) / Math.max(1e-3, m.stepMs + m.dataWaitMs)),
    samplerPatchesPerSecond: round(supply.patchesPerSecond),
    queueDepth: fed?.queueDepth ?? supply.queueDepth,
    backend,
    memory: m.memory,
    pooledImages: m.outcome.pooledImages,
    ...(m.evaluation !== null && { evaluation: m.evaluation }),
    ...(m.outcome.progan !== null && { progan: m.outcome.progan }),
  };
}

/**
 * The fault injection hook: `HISTO_FETCH_FAULT=kill-during-checkpoint[:<step>]` makes the process kill
 * itself (SIGKILL) halfway through writing a checkpoint (of that step, or any), for crash tests.
 */
function faultStep(env: Readonly<Record<string, string | undefined>>): number | 'any' | null {
  const value = env['HISTO_FETCH_FAULT'];
  const match = value === undefined ? null : /^kill-during-checkpoint(?::(\d+))?$/.exec(value);
  if (!match) return null;
  return match[1] === undefined ? 'any' : Number(match[1]);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** An error from the training worker, keeping its name, code and file. */
export class TrainerWorkerError extends Error {
  readonly code: string | null;
  readonly file: string | null;

  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
    this.file = e.file;
    if (e.stack) this.stack = e.stack;
  }
}
