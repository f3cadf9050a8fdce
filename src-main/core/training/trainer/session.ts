import type { TrainingEvaluator } from '../eval/training-evaluation.js';
import type { NamedArrays } from '../optim/optimizer.js';
import type { TrainingBatch } from './batch.js';
import type { SampleGrid } from './sample-grid.js';

/** Where ProGAN's progressive growing stands after a step. */
export interface ProganProgress {
  readonly resolution: number;
  readonly alpha: number;
  readonly phase: number;
  readonly fading: boolean;
  /** Real images shown so far (the schedule's clock). */
  readonly imagesSeen: number;
}

/** What one step gives back. */
export interface StepOutcome {
  /** Every loss term by name (the model's own names, e.g. cycleA, gradientPenalty). */
  readonly losses: Readonly<Record<string, number>>;
  /** The generators' learning rate this step. */
  readonly learningRate: number;
  readonly discriminatorLearningRate: number;
  /** Images in the generated image pools (CycleGAN; they hold tensors until full). */
  readonly pooledImages: number;
  readonly progan: ProganProgress | null;
}

/** A session's resumable state: JSON-safe values plus every tensor, read back to the CPU. */
export interface SessionState {
  readonly json: Readonly<Record<string, unknown>>;
  readonly arrays: NamedArrays;
}

/** A generator written to `export/`. */
export interface ExportedGenerator {
  readonly name: string;
  readonly folder: string;
}

/**
 * One model's training in progress (runs in the training worker): networks, optimisers and everything
 * else a step needs, with an exact save/restore.
 */
export interface TrainingSession {
  /** Steps done. */
  readonly step: number;
  /** Runs one step on a batch (in [-1, 1]); its shape must be what the run expects now. */
  runStep(batch: TrainingBatch): Promise<StepOutcome>;
  /** A grid of samples (SPEC 5/6); null before the first step where the grid needs a batch. */
  sampleGrid(): Promise<SampleGrid | null>;
  saveState(): Promise<SessionState>;
  /** Evaluates the generators as they stand (SWD, cycle error) on the evaluator's fixed real patches. */
  evaluate(evaluator: TrainingEvaluator): Promise<Readonly<Record<string, number>>>;
  /** Writes the generators as TensorFlow.js weights folders under `folder`. */
  exportGenerators(folder: string): Promise<ExportedGenerator[]>;
  dispose(): void;
}
