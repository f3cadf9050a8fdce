import type * as tf from '@tensorflow/tfjs';

/** Tensors by name, read back to the CPU: what a checkpoint stores for weights and optimiser slots. */
export interface NamedArrays {
  [name: string]: { shape: number[]; data: Float32Array };
}

/**
 * The optimiser contract the trainer relies on. The stock implementation is Adam over tf ops; a backend
 * may supply a fused one (WebGPU: one dispatch per variable) behind the same interface, with the same
 * saved state so checkpoints move between backends.
 */
export interface Optimizer {
  /** Current learning rate; the trainer changes it for linear decay. */
  learningRate: number;
  /** Number of updates applied so far (Adam's bias correction uses it). */
  readonly iterations: number;
  /** Applies one update. `gradients` are consumed (disposed) by the call. */
  applyGradients(
    variables: Readonly<Record<string, tf.Variable>>,
    gradients: Record<string, tf.Tensor>,
  ): void;
  /** First and second moments per variable name plus `iterations`, for checkpoints. */
  saveState(): Promise<{ iterations: number; slots: NamedArrays }>;
  loadState(state: { iterations: number; slots: NamedArrays }): void;
  dispose(): void;
}
