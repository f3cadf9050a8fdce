import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { TrainingConfig } from '../../config/training-config.js';
import type { StepMetrics } from '../runs/metrics.js';
import type { RunBackend } from '../runs/run-config.js';
import type { BatchSource, DataEvent, SourceBatch } from './batch-source.js';
import type { ToTrainer } from './protocol.js';
import type { ExportedGenerator } from './session.js';
import type { EvaluationSet, EvaluationSetRequest } from '../eval/training-evaluation.js';

/** Opens the data source of a run (dataset checks and masks happen here, before training starts). */
export type OpenBatchSource = (
  config: TrainingConfig,
  restore: unknown,
  hooks: Readonly<{ signal: AbortSignal; onEvent: (event: DataEvent) => void }>,
) => Promise<BatchSource>;

/** What a training run depends on. */
export interface TrainerDeps {
  readonly openSource: OpenBatchSource;
  /** Environment read for the fault injection hook (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Versions recorded in config.json besides node and tfjs (e.g. the app's). */
  readonly versions?: Readonly<Record<string, string>>;
  /** Accept a software WebGPU adapter (tests). */
  readonly allowFallbackAdapter?: boolean;
  /**
   * Draws the fixed real patches a run with `config.evaluation` is evaluated on (openSlideEvaluationSet);
   * without it such a run trains without evaluations.
   */
  readonly evaluationSet?: (request: EvaluationSetRequest) => Promise<EvaluationSet>;
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

/** Patches one step consumed (8-bit pixels and provenance), for the audit gallery. */
export interface FedPatches {
  readonly step: number;
  readonly batches: readonly Omit<SourceBatch, 'images'>[];
}

/** Events of a training job. */
export interface TrainingEventMap {
  /** Dataset preparation: slides found, masks built, slides excluded (before and during training). */
  data: [DataEvent];
  /** The backend chosen, and why each other was not. */
  backend: [RunBackend];
  started: [
    {
      readonly runDir: string;
      /** Steps already done (a resume's checkpoint). */
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

  /** Use startTraining or resumeTraining. */
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

  /** Called by the run once its worker takes messages (a stop asked earlier is passed on). */
  attachWorker(worker: Worker): void {
    this.worker = worker;
    if (this.stopRequested) worker.postMessage({ type: 'stop' } satisfies ToTrainer);
  }
}

/** A stop that came before training began: nothing trained, nothing written. */
export function stoppedBeforeTraining(runDir: string, step: number): TrainingResult {
  return { runDir, reason: 'stopped', step, checkpoint: null, sample: null, exported: [] };
}
