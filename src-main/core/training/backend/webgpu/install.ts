import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerInstanceNormImpl } from '../../ops/instance-norm.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { WebgpuFusedAdam, type FusedAdamConfig } from './adam.js';
import { registerConvKernels, restoreStockConvKernels, type ConvKernelChoice } from './conv-kernels.js';
import { fusedInstanceNormAct, registerInstanceNormKernels } from './instance-norm.js';
import { assertPinnedTfjsWebgpu, getWebgpuBackend } from './internals.js';
import { registerMirrorPadGrad, restorePreviousMirrorPadGrad } from './mirror-pad-grad.js';

/** Which of our WebGPU kernels to use; every part defaults to on except the forward convolution. */
export interface WebgpuKernelOptions {
  /** Master switch: false keeps every stock tfjs kernel (the baseline of the stock-vs-ours benchmark). */
  readonly enabled?: boolean;
  /** Fused instance norm + activation behind instanceNormAct. */
  readonly instanceNorm?: boolean;
  /** Fused Adam from `createAdam`. */
  readonly adam?: boolean;
  /** MirrorPad's gradient in one dispatch (reflection padding of the CycleGAN generator). */
  readonly mirrorPadGrad?: boolean;
  /** Implicit-GEMM convolution kernels; forward defaults to off (tfjs's forward is already tiled). */
  readonly conv?: Partial<ConvKernelChoice>;
  /**
   * Dispatches tfjs records before it submits (its flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, default 15).
   * Each submit costs ~2 ms in the NVIDIA driver; larger batches hold freed buffers longer.
   */
  readonly submitBatch?: number;
}

/** What `installWebgpuKernels` put in place. */
export interface WebgpuKernels {
  /** The options in effect, defaults filled in. */
  readonly options: Required<Omit<WebgpuKernelOptions, 'conv'>> & { conv: ConvKernelChoice };
  /** The fused Adam when enabled, otherwise null (the caller uses its stock optimiser). */
  createAdam(config: Readonly<FusedAdamConfig>): Optimizer | null;
  /** Restores the stock kernels and flags. */
  uninstall(): void;
}

/** Default submit batch: ~50 submits per paper CycleGAN iteration (~3,100 dispatches) with our kernels. */
export const DEFAULT_SUBMIT_BATCH = 64;

/**
 * Installs our WebGPU kernels into TF.js (the webgpu backend must be initialised): one call for the
 * backend selection to make when it picks webgpu. Needs tfjs-backend-webgpu 4.22.0 (checked).
 */
export function installWebgpuKernels(options: Readonly<WebgpuKernelOptions> = {}): WebgpuKernels {
  const enabled = options.enabled ?? true;
  const resolved = {
    enabled,
    instanceNorm: enabled && (options.instanceNorm ?? true),
    adam: enabled && (options.adam ?? true),
    mirrorPadGrad: enabled && (options.mirrorPadGrad ?? true),
    conv: {
      forward: enabled && (options.conv?.forward ?? false),
      filterGrad: enabled && (options.conv?.filterGrad ?? true),
      inputGrad: enabled && (options.conv?.inputGrad ?? true),
      tiling: options.conv?.tiling ?? 'auto',
    },
    submitBatch: options.submitBatch ?? (enabled ? DEFAULT_SUBMIT_BATCH : 15),
  };
  const backend: WebGPUBackend = getWebgpuBackend();
  if (enabled) assertPinnedTfjsWebgpu();
  // Start from TF.js's own kernels, whatever an earlier call installed, so the result depends only
  // on these options (the backend selection may run more than once in a process).
  restoreStockConvKernels();
  restorePreviousMirrorPadGrad();
  registerInstanceNormImpl('webgpu', null);
  const undo: Array<() => void> = [];
  const flag = 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE';
  const previousBatch = tf.env().getNumber(flag);
  tf.env().set(flag, resolved.submitBatch);
  undo.push(() => tf.env().set(flag, previousBatch));
  if (resolved.instanceNorm) {
    undo.push(registerInstanceNormKernels());
    registerInstanceNormImpl('webgpu', fusedInstanceNormAct());
    undo.push(() => registerInstanceNormImpl('webgpu', null));
  }
  undo.push(registerConvKernels(resolved.conv));
  if (resolved.mirrorPadGrad) undo.push(registerMirrorPadGrad());
  return {
    options: resolved,
    createAdam: (config) => (resolved.adam ? new WebgpuFusedAdam(backend, config) : null),
    uninstall: () => undo.reverse().forEach((u) => u()),
  };
}
