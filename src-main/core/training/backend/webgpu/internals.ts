import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
// Imported, not read at run time, so bundles (the GPU check kit) carry the version too.
import webgpuPackage from '@tensorflow/tfjs-backend-webgpu/package.json' with { type: 'json' };

/** The tfjs-backend-webgpu release whose private fields our kernels rely on (checked at run time). */
export const PINNED_TFJS_WEBGPU_VERSION = '4.22.0';

/** Thrown when the installed TF.js WebGPU backend is not the one our kernels were written against. */
export class WebgpuBackendVersionError extends Error {
  readonly code = 'WEBGPU_BACKEND_VERSION';
  constructor(
    readonly found: string,
    readonly file: string,
  ) {
    super(
      `${file}: our WebGPU kernels need @tensorflow/tfjs-backend-webgpu ${PINNED_TFJS_WEBGPU_VERSION} ` +
        `(they record into its private command encoder); found ${found}. Pin the version in package.json ` +
        `or re-check the fields listed in internals.ts against the new release.`,
    );
    this.name = 'WebgpuBackendVersionError';
  }
}

/** Per-tensor record in the backend's tensor map (the fields we read or reset). */
export interface WebgpuTensorData {
  values: unknown;
  dtype: tf.DataType;
  shape: number[];
  refCount: number;
  resource?: unknown;
}

/**
 * The parts of `WebGPUBackend` 4.22.0 we use. Public methods are typed by the package; the private
 * `commandEncoder` (tfjs's pending command buffer) is what lets our raw dispatches share its ordering
 * and its submit instead of adding one submit per dispatch.
 */
export interface WebgpuInternals {
  readonly backend: WebGPUBackend;
  readonly device: GPUDevice;
  readonly queue: GPUQueue;
  tensorData(dataId: tf.DataId): WebgpuTensorData;
  /** The GPU buffer holding a tensor, uploading CPU-side values first if needed. */
  bufferOf(dataId: tf.DataId): GPUBuffer;
  /** tfjs's open command encoder, with its compute pass ended so the caller may begin its own. */
  openEncoder(): GPUCommandEncoder;
  /** Submits everything recorded so far (tfjs's own submit, which also releases deferred buffers). */
  submit(): void;
}

/** The installed tfjs-backend-webgpu version, read from its package.json. */
export function installedTfjsWebgpuVersion(): string {
  return webgpuPackage.version;
}

/** Throws WebgpuBackendVersionError unless the installed tfjs-backend-webgpu is the pinned release. */
export function assertPinnedTfjsWebgpu(version = installedTfjsWebgpuVersion()): void {
  if (version !== PINNED_TFJS_WEBGPU_VERSION) {
    throw new WebgpuBackendVersionError(version, '@tensorflow/tfjs-backend-webgpu/package.json');
  }
}

/** The registered `webgpu` backend instance; throws a clear error when it is not initialised. */
export function getWebgpuBackend(): WebGPUBackend {
  const backend = tf.findBackend('webgpu') as WebGPUBackend | null;
  if (!backend) throw new Error('the TF.js webgpu backend is not initialised (call initWebgpuBackend first)');
  return backend;
}

/** Typed access to the backend internals, after checking the pinned version and the fields' shapes. */
export function webgpuInternals(backend: WebGPUBackend): WebgpuInternals {
  assertPinnedTfjsWebgpu();
  const raw = backend as unknown as {
    commandEncoder: GPUCommandEncoder | null;
    tensorMap: { get(id: tf.DataId): WebgpuTensorData | undefined };
  };
  if (!('commandEncoder' in raw) || typeof backend.ensureCommandEncoderReady !== 'function') {
    throw new WebgpuBackendVersionError('a build without commandEncoder', 'backend_webgpu.js');
  }
  const tensorData = (dataId: tf.DataId): WebgpuTensorData => {
    const data = raw.tensorMap.get(dataId);
    if (!data) throw new Error('tensor is not registered with the webgpu backend (disposed?)');
    return data;
  };
  return {
    backend,
    device: backend.device,
    queue: backend.queue,
    tensorData,
    bufferOf(dataId) {
      backend.uploadToGPU(dataId);
      return tensorData(dataId).resource as GPUBuffer;
    },
    openEncoder() {
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      return raw.commandEncoder as GPUCommandEncoder;
    },
    submit() {
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
    },
  };
}
