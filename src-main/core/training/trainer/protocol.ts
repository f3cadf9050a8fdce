import type { TrainingConfig } from '../../config/training-config.js';
import type { BackendSelection } from '../backend/types.js';
import type { EvaluationSet } from '../eval/training-evaluation.js';
import type { PackedArrays } from '../runs/packed-arrays.js';
import type { TrainingBatch } from './batch.js';
import type { SampleGrid } from './sample-grid.js';
import type { ExportedGenerator, StepOutcome } from './session.js';

/** What the training worker starts with (`workerData`). */
export interface TrainerWorkerData {
  readonly config: TrainingConfig;
  /** Where `export/` is written. */
  readonly exportDir: string;
  /** Stop (with a checkpoint) once this many steps are done, before `config.steps` if smaller. */
  readonly stopAtStep: number | null;
  /** Accept a software WebGPU adapter (tests of the WebGPU path without a GPU). */
  readonly allowFallbackAdapter: boolean;
  /** The real patches evaluations use, when the run evaluates (`config.evaluation`). */
  readonly evaluation?: EvaluationSet | null;
}

/** A session's saved state as it travels between threads: JSON plus one transferable buffer. */
export interface PackedSessionState {
  readonly json: Readonly<Record<string, unknown>>;
  readonly arrays: PackedArrays;
}

/** Host -> worker. */
export type ToTrainer =
  /** Build the session (from a checkpoint when `restore` is set) and start. */
  | { readonly type: 'start'; readonly restore: PackedSessionState | null }
  /** The next batch in sequence; its image buffers are transferred. */
  | { readonly type: 'batch'; readonly batch: TrainingBatch }
  /** Finish the current step, write a checkpoint, export, end. */
  | { readonly type: 'stop' };

/** Memory figures of the worker after a step. */
export interface TrainerMemory {
  readonly rssBytes: number;
  readonly tfBytes: number;
  readonly tfTensors: number;
}

/** Worker -> host. */
export type FromTrainer =
  | { readonly type: 'backend'; readonly selection: Omit<BackendSelection, 'createAdam'> }
  | { readonly type: 'ready'; readonly step: number }
  | {
      readonly type: 'step';
      readonly step: number;
      readonly batchIndex: number;
      readonly outcome: StepOutcome;
      readonly stepMs: number;
      readonly dataWaitMs: number;
      readonly images: number;
      readonly memory: TrainerMemory;
      /** The evaluation's metrics when this step was an evaluation step, else null. */
      readonly evaluation: Readonly<Record<string, number>> | null;
    }
  | { readonly type: 'sample'; readonly step: number; readonly grid: SampleGrid }
  | { readonly type: 'checkpoint'; readonly step: number; readonly state: PackedSessionState }
  | { readonly type: 'exported'; readonly generators: readonly ExportedGenerator[] }
  | { readonly type: 'done'; readonly step: number; readonly reason: 'completed' | 'stopped' }
  | { readonly type: 'error'; readonly error: SerializedError };

/** An error as it crosses threads: its class name, code and file survive. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code: string | null;
  readonly file: string | null;
  readonly stack: string | null;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const extra = e as Error & { code?: unknown; file?: unknown };
  return {
    name: e.name,
    message: e.message,
    code: typeof extra.code === 'string' ? extra.code : null,
    file: typeof extra.file === 'string' ? extra.file : null,
    stack: e.stack ?? null,
  };
}
