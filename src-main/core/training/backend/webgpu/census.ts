import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { webgpuInternals } from './internals.js';

/** GPU work issued by the webgpu backend, counted by `instrumentWebgpu`. */
export interface WebgpuCensus {
  /** Programs run through tfjs's runner plus raw dispatches of ours (the fused Adam): one dispatch each. */
  dispatches: number;
  /** Of `dispatches`, those from tfjs's runner (counted even in compile-only mode, which records nothing). */
  programs: number;
  /** GPUQueue.submit calls (each costs ~2 ms in the NVIDIA driver). */
  submits: number;
  /** CPU -> GPU tensor uploads (staging copies of CPU-side tensor values) and their bytes. */
  uploads: number;
  uploadBytes: number;
  /** GPUDevice.createBuffer calls (pool misses; ~145 us each on the NVIDIA driver). */
  bufferCreates: number;
  /** Programs per shader key prefix (tfjs program class or our kernel key). */
  byProgram: Record<string, number>;
}

/** Live counters over a backend; `restore` removes the instrumentation. */
export interface WebgpuInstrument {
  read(): WebgpuCensus;
  reset(): void;
  restore(): void;
}

function isSet(value: unknown): boolean {
  return value !== null && value !== undefined;
}

function emptyCensus(): WebgpuCensus {
  return {
    dispatches: 0,
    programs: 0,
    submits: 0,
    uploads: 0,
    uploadBytes: 0,
    bufferCreates: 0,
    byProgram: {},
  };
}

/**
 * Counts dispatches, submits, uploads and buffer creations by wrapping the backend's program runner and
 * upload path, its queue's submit, its device's createBuffer, and GPUComputePassEncoder's dispatch (for
 * dispatches recorded outside the runner). For benchmarks and tests; the wrappers cost a few
 * microseconds per call.
 */
export function instrumentWebgpu(backend: WebGPUBackend): WebgpuInstrument {
  const gpu = webgpuInternals(backend);
  let census = emptyCensus();
  let insideRunner = 0;

  const run = backend.runWebGPUProgram;
  backend.runWebGPUProgram = function (this: WebGPUBackend, ...args) {
    const program = args[0];
    // tfjs's programs are classes; ours are plain objects named by their key.
    const named = program.constructor.name;
    const key = named && named !== 'Object' ? named : (program.shaderKey.split('_')[0] ?? 'unknown');
    const outputShape = args[4]?.shape ?? program.outputShape;
    if (outputShape.every((d) => d > 0)) {
      census.programs++;
      census.dispatches++;
      census.byProgram[key] = (census.byProgram[key] ?? 0) + 1;
    }
    insideRunner++;
    try {
      return run.apply(this, args);
    } finally {
      insideRunner--;
    }
  };

  const upload = backend.uploadToGPU;
  backend.uploadToGPU = function (this: WebGPUBackend, dataId) {
    const data = gpu.tensorData(dataId);
    if (!isSet(data.resource) && isSet(data.values)) {
      census.uploads++;
      census.uploadBytes += (data.values as ArrayLike<number>).length * 4;
    }
    return upload.call(this, dataId);
  };

  const queue = gpu.queue;
  const submit = queue.submit;
  queue.submit = function (this: GPUQueue, buffers) {
    census.submits++;
    return submit.call(this, buffers);
  };

  const device = gpu.device;
  const createBuffer = device.createBuffer;
  device.createBuffer = function (this: GPUDevice, descriptor) {
    census.bufferCreates++;
    return createBuffer.call(this, descriptor);
  };

  const passProto = (globalThis as unknown as { GPUComputePassEncoder: { prototype: GPUComputePassEncoder } })
    .GPUComputePassEncoder.prototype;
  const dispatch = passProto.dispatchWorkgroups;
  passProto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args) {
    if (insideRunner === 0) census.dispatches++;
    return dispatch.apply(this, args);
  };

  return {
    read: () => structuredClone(census),
    reset: () => {
      census = emptyCensus();
    },
    restore: () => {
      backend.runWebGPUProgram = run;
      backend.uploadToGPU = upload;
      queue.submit = submit;
      device.createBuffer = createBuffer;
      passProto.dispatchWorkgroups = dispatch;
    },
  };
}
