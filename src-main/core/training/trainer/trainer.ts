import { EventEmitter } from 'node:events';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { checkTrainingConfig, type FieldOfView, type TrainingConfig } from '../../config/training-config.js';
import { startSiblingWorker } from '../../util/worker-url.js';
import { pruneCheckpoints, readLatestCheckpoint, writeCheckpoint } from '../runs/checkpoints.js';
import { RunError } from '../runs/errors.js';
import { filterJsonl, JsonlAppender } from '../runs/jsonl.js';
import { runPaths } from '../runs/layout.js';
import type { StepMetrics } from '../runs/metrics.js';
import type { FedPatch } from '../runs/patches.js';
import {
  newRunConfigFile,
  readRunConfig,
  writeRunConfig,
  type RunBackend,
  type RunConfigFile,
} from '../runs/run-config.js';
import { removeSamplesAfter, writeSampleGrid } from '../runs/samples.js';
import type { TrainingBatch } from './batch.js';
import type { BatchRequest, BatchSource, DataEvent, SourceBatch } from './batch-source.js';
import { proganPositionAt } from './progan-schedule.js';
import type {
  FromTrainer,
  PackedSessionState,
  SerializedError,
  ToTrainer,
  TrainerWorkerData,
} from './protocol.js';
import type { ExportedGenerator } from './session.js';

/** Batches sent to the worker ahead of the step that uses them. */
const WORKER_PREFETCH_BATCHES = 2;

/** Opens the data source of a run (dataset checks and masks happen here, before training starts). */
export type OpenBatchSource = (
  config: TrainingConfig,
  restore: unknown,
  hooks: Readonly<{ signal: AbortSignal; onEvent: (event: DataEvent) => void }>,
) => Promise<BatchSource>;

export interface TrainerDeps {
  readonly openSource: OpenBatchSource;
  /** Environment read for the fault injection hook (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Versions recorded in config.json besides node and tfjs (e.g. the app's). */
  readonly versions?: Readonly<Record<string, string>>;
  /** Accept a software WebGPU adapter (tests). */
  readonly allowFallbackAdapter?: boolean;
}

export interface StartTrainingRequest {
  readonly config: TrainingConfig;
  /** The run folder; created, and must be empty if it exists. */
  readonly runDir: string;
  /** Stop gracefully (checkpoint, export) once this many steps are done. */
  readonly stopAtStep?: number;
}

export interface ResumeTrainingRequest {
  readonly runDir: string;
  /** Train to this many steps in all (default: the config's). */
  readonly steps?: number;
  readonly stopAtStep?: number;
}

/** How a run ended. */
export interface TrainingResult {
  readonly runDir: string;
  readonly reason: 'completed' | 'stopped';
  /** Steps done. */
  readonly step: number;
  readonly checkpoint: string | null;
  readonly sample: string | null;
  readonly exported: readonly ExportedGenerator[];
}

/** Patches one step consumed, for the audit gallery. */
export interface FedPatches {
  readonly step: number;
  readonly batches: readonly Omit<SourceBatch, 'images'>[];
}

/** Events of a training job. */
export interface TrainingEventMap {
  /** Dataset preparation: slides found, masks built, slides excluded (before and during training). */
  data: [DataEvent];
  backend: [RunBackend];
  started: [
    {
      readonly runDir: string;
      readonly step: number;
      readonly steps: number;
      readonly config: TrainingConfig;
    },
  ];
  step: [StepMetrics];
  sample: [{ readonly step: number; readonly path: string }];
  checkpoint: [{ readonly step: number; readonly folder: string }];
  patches: [FedPatches];
  exported: [readonly ExportedGenerator[]];
}

interface SentBatch {
  readonly sources: readonly SourceBatch[];
  /** Source state before this batch was taken: what a checkpoint after the previous step stores. */
  readonly stateBefore: unknown;
  readonly imagesBefore: number;
  readonly queueDepth: number;
}

/** The host half of a checkpoint: where the data sequence stands. */
interface DataCheckpoint {
  readonly batchIndex: number;
  readonly imagesSeen: number;
  readonly source: unknown;
}

/**
 * A training run: the host half lives on the calling thread and owns the data source (the sampler), the
 * run folder's files and the checkpoint writes; the model trains in a worker thread. Emits events as it
 * goes; `done` resolves when the run ends (completed, or stopped gracefully) and rejects on failure.
 */
export class TrainingJob extends EventEmitter<TrainingEventMap> {
  readonly done: Promise<TrainingResult>;
  private readonly abort = new AbortController();
  private worker: Worker | null = null;
  private stopRequested = false;

  /** Use {@link startTraining} or {@link resumeTraining}. */
  constructor(run: (job: TrainingJob, signal: AbortSignal) => Promise<TrainingResult>) {
    super();
    this.done = Promise.resolve().then(() => run(this, this.abort.signal));
    // The caller may only await `done` later; an early failure must not be an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /**
   * Asks the run to stop gracefully: the current step finishes, a checkpoint is written, the generators
   * exported. Resolves with the result (cancellation resolves, it does not reject).
   */
  stop(): Promise<TrainingResult> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.abort.abort();
      this.worker?.postMessage({ type: 'stop' } satisfies ToTrainer);
    }
    return this.done;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** @internal */
  attachWorker(worker: Worker): void {
    this.worker = worker;
    if (this.stopRequested) worker.postMessage({ type: 'stop' } satisfies ToTrainer);
  }
}

/** Starts a new run in `runDir` (validated config; the dataset is checked before training starts). */
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
      // A run that never started training leaves nothing behind (it wrote nothing but empty files).
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
        const updated: RunConfigFile = {
          ...file,
          config,
          resumes: [
            ...file.resumes,
            { at: new Date().toISOString(), fromStep: checkpoint.step, steps, backend },
          ],
        };
        await writeRunConfig(runDir, updated);
      },
    });
  });
}

interface RunPlan {
  readonly config: TrainingConfig;
  readonly runDir: string;
  readonly source: BatchSource;
  readonly restore: { readonly session: PackedSessionState; readonly data: DataCheckpoint } | null;
  readonly stopAtStep: number | null;
  readonly writeConfig: (backend: RunBackend) => Promise<void>;
}

async function runTraining(
  job: TrainingJob,
  deps: Readonly<TrainerDeps>,
  plan: RunPlan,
): Promise<TrainingResult> {
  const { config, runDir, source } = plan;
  const paths = runPaths(runDir);
  const startStep = plan.restore?.data.batchIndex ?? 0;
  const lastStep = Math.min(config.steps, plan.stopAtStep ?? Infinity);
  if (job.stopping) {
    await source.close();
    return stoppedBeforeTraining(runDir, startStep);
  }
  const workerData: TrainerWorkerData = {
    config,
    exportDir: paths.export,
    stopAtStep: plan.stopAtStep,
    allowFallbackAdapter: deps.allowFallbackAdapter ?? false,
  };
  const worker = startSiblingWorker(import.meta.url, './trainer-worker', { workerData });
  const metrics = new JsonlAppender<StepMetrics>(paths.metrics);
  const patches = new JsonlAppender<FedPatch>(paths.patches);
  const fault = faultStep(deps.env ?? process.env);
  const sent = new Map<number, SentBatch>();
  let nextIndex = startStep;
  let consumed = startStep;
  let imagesScheduled = plan.restore?.data.imagesSeen ?? 0;
  let backendName = '';
  let pumping = false;
  let failure: Error | null = null;
  let writes: Promise<void> = Promise.resolve();
  let lastCheckpoint: string | null = null;
  let lastSample: string | null = null;
  let exported: readonly ExportedGenerator[] = [];

  const fail = (error: Error): void => {
    failure ??= error;
    void worker.terminate();
  };
  /** Serialises file writes (checkpoints, samples) and records the first failure. */
  const enqueueWrite = (write: () => Promise<void>): void => {
    writes = writes.then(write).catch((error: Error) => fail(error));
  };

  const requestsFor = (index: number): BatchRequest[] => {
    const s = config.sampling;
    if (config.model === 'cyclegan') {
      return config.domains.map((d) => ({
        domain: d.name,
        sizePx: s.sizePx,
        scale: s.scale,
        batchSize: config.cyclegan.batchSize,
        seed: config.seed,
      }));
    }
    const position = proganPositionAt(config.progan, imagesScheduled);
    const r = position.phase.resolution;
    return [
      {
        domain: config.domains[index % config.domains.length]!.name,
        sizePx: r,
        scale: scaleAtResolution(s.scale, s.sizePx, r),
        batchSize: position.batchSize,
        // Each resolution has its own patch sequence (a sampler per size and field of view).
        seed: `${config.seed}/${r}px`,
      },
    ];
  };

  /** Keeps the worker's queue topped up; batches go in order, so the sequence never depends on timing. */
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (
        !job.stopping &&
        failure === null &&
        nextIndex < lastStep &&
        nextIndex - consumed < WORKER_PREFETCH_BATCHES
      ) {
        const index = nextIndex;
        const stateBefore = source.getState();
        const imagesBefore = imagesScheduled;
        const queueDepth = source.stats().queueDepth;
        const requests = requestsFor(index);
        const batches = await Promise.all(requests.map((r) => source.next(r)));
        if (batches.some((b) => b === null) || job.stopping) return;
        const sources = batches as SourceBatch[];
        imagesScheduled += sources.reduce((n, b) => n + b.count, 0);
        sent.set(index, { sources, stateBefore, imagesBefore, queueDepth });
        nextIndex++;
        // Copies for the worker (transferred); the host keeps the 8-bit pixels for the gallery.
        const batch: TrainingBatch = {
          index,
          domains: sources.map((b) => ({
            domain: b.domain,
            count: b.count,
            sizePx: b.sizePx,
            images: b.images.slice(),
          })),
        };
        worker.postMessage(
          { type: 'batch', batch } satisfies ToTrainer,
          batch.domains.map((d) => d.images.buffer as ArrayBuffer),
        );
      }
    } catch (error) {
      fail(error as Error);
    } finally {
      pumping = false;
    }
  };

  const onStep = (m: Extract<FromTrainer, { type: 'step' }>): void => {
    consumed = m.batchIndex + 1;
    const batch = sent.get(m.batchIndex);
    for (const k of sent.keys()) if (k <= m.batchIndex) sent.delete(k);
    const stats = source.stats();
    const record: StepMetrics = {
      step: m.step,
      time: new Date().toISOString(),
      losses: m.outcome.losses,
      learningRate: m.outcome.learningRate,
      stepMs: round(m.stepMs),
      dataWaitMs: round(m.dataWaitMs),
      images: m.images,
      imagesPerSecond: round((m.images * 1000) / Math.max(1e-3, m.stepMs + m.dataWaitMs)),
      samplerPatchesPerSecond: round(stats.patchesPerSecond),
      queueDepth: batch?.queueDepth ?? stats.queueDepth,
      backend: backendName,
      memory: m.memory,
      pooledImages: m.outcome.pooledImages,
      ...(m.outcome.progan !== null && { progan: m.outcome.progan }),
    };
    metrics.append([record]);
    if (batch) {
      patches.append(batch.sources.flatMap((b) => b.provenance.map((p) => ({ step: m.step, ...p }))));
      job.emit('patches', {
        step: m.step,
        batches: batch.sources.map(({ images: _images, ...rest }) => rest),
      });
    }
    job.emit('step', record);
    void pump();
  };

  const onCheckpoint = (m: Extract<FromTrainer, { type: 'checkpoint' }>): void => {
    // The source state before the next batch was taken; none taken yet means the state now.
    const next = sent.get(m.step);
    const data: DataCheckpoint = {
      batchIndex: m.step,
      imagesSeen: next ? next.imagesBefore : imagesScheduled,
      source: next ? next.stateBefore : source.getState(),
    };
    enqueueWrite(async () => {
      await metrics.flush();
      await patches.flush();
      const folder = await writeCheckpoint(
        runDir,
        { step: m.step, parts: { session: m.state.json, data }, arrays: m.state.arrays },
        {
          keep: config.keepCheckpoints,
          midWrite: (step) => {
            if (fault !== null && (fault === 'any' || fault === step)) process.kill(process.pid, 'SIGKILL');
          },
        },
      );
      lastCheckpoint = folder;
      job.emit('checkpoint', { step: m.step, folder });
    });
  };

  try {
    const finished = new Promise<{ step: number; reason: 'completed' | 'stopped' }>((resolve, reject) => {
      worker.on('message', (m: FromTrainer) => {
        switch (m.type) {
          case 'backend': {
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
            void pump();
            break;
          }
          case 'ready':
            break;
          case 'step':
            onStep(m);
            break;
          case 'sample':
            enqueueWrite(async () => {
              const path = await writeSampleGrid(runDir, m.step, m.grid);
              lastSample = path;
              job.emit('sample', { step: m.step, path });
            });
            break;
          case 'checkpoint':
            onCheckpoint(m);
            break;
          case 'exported':
            exported = m.generators;
            job.emit('exported', m.generators);
            break;
          case 'done':
            resolve({ step: m.step, reason: m.reason });
            break;
          case 'error':
            reject(deserializeError(m.error));
            break;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        reject(failure ?? new Error(`The training worker stopped unexpectedly (exit code ${code})`)),
      );
    });
    const end = await finished;
    await writes;
    if (failure) throw failure;
    return {
      runDir,
      reason: end.reason,
      step: end.step,
      checkpoint: lastCheckpoint,
      sample: lastSample,
      exported,
    };
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

/** A stop that came while the data was being prepared: nothing trained, nothing written. */
function stoppedBeforeTraining(runDir: string, step: number): TrainingResult {
  return { runDir, reason: 'stopped', step, checkpoint: null, sample: null, exported: [] };
}

/** The field of view at resolution `r` when `scale` is that of the target resolution (ProGAN, SPEC 6). */
export function scaleAtResolution(scale: FieldOfView, targetPx: number, r: number): FieldOfView {
  return scale.kind === 'downsample'
    ? { kind: 'downsample', downsample: (scale.downsample * targetPx) / r }
    : { kind: 'mpp', mpp: (scale.mpp * targetPx) / r };
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

function versions(deps: Readonly<TrainerDeps>): Record<string, string> {
  // Read from the package, not tf.version: the host thread never loads TensorFlow.js.
  const tfjs = (createRequire(import.meta.url)('@tensorflow/tfjs/package.json') as { version: string })
    .version;
  return { node: process.versions.node, tfjs, ...deps.versions };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** An error from the worker, keeping its name, code and file. */
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

function deserializeError(e: SerializedError): Error {
  return new TrainerWorkerError(e);
}
