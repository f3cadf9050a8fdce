import type { AdamOptions } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { WebgpuKernelOptions } from './webgpu/install.js';

/** The TensorFlow.js backends the trainer can run on, in automatic detection order. */
export const BACKEND_CANDIDATES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_CANDIDATES)[number];

export type BackendPreference = 'auto' | BackendName;

export interface SelectBackendOptions {
  /** 'auto' (default) takes the first candidate that works; a named one must work or it is an error. */
  readonly preferred?: BackendPreference;
  /**
   * Accept a software WebGPU adapter (Mesa lavapipe): for tests of the WebGPU code path without a GPU.
   * Automatic selection otherwise skips it, because it is slower than wasm.
   */
  readonly allowFallbackAdapter?: boolean;
  /**
   * Our WebGPU kernels (fused instance norm and Adam, convolution and MirrorPad-gradient kernels),
   * installed when webgpu is chosen; false keeps TF.js's stock kernels (for comparisons). Default true.
   */
  readonly webgpuKernels?: boolean | WebgpuKernelOptions;
}

/** The chosen backend, the device it computes on, and why each other candidate was not chosen. */
export interface BackendSelection {
  readonly name: BackendName;
  /** Human-readable device, e.g. 'nvidia h100' or 'CPU (WebAssembly SIMD, 1 thread)'. */
  readonly device: string;
  readonly reasons: Readonly<Partial<Record<BackendName, string>>>;
  /** Makes a run's Adam: the fused one where our WebGPU kernels are installed, else the op-level Adam. */
  readonly createAdam: (options: AdamOptions) => Optimizer;
}

/** What trying one candidate gave: usable with its device, or not with the reason. */
export type CandidateResult = { ok: true; device: string } | { ok: false; reason: string };
