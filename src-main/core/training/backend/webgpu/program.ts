import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** One program-defined uniform as tfjs-backend-webgpu lays them out after its shape uniforms. */
export interface ProgramUniform {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

/** A WGSL compute program run through the backend's own runner (its queue, buffer pool and tensors). */
export interface ProgramSpec {
  /**
   * Pipeline cache key prefix. tfjs adds only ranks and dtypes to it, so it must name every constant the
   * WGSL bakes in (tile sizes, activation, ...).
   */
  readonly key: string;
  /** Input binding names, in the order the inputs are passed. */
  readonly inputs: readonly string[];
  readonly outputShape: readonly number[];
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroup counts; each at most the device limit (65,535): programs loop when there is more work. */
  readonly dispatch: readonly [number, number, number];
  /** Extra fields of the `uniforms` struct, e.g. `'count : i32, eps : f32,'`, filled from `uniformData`. */
  readonly uniforms?: string;
  /**
   * WGSL module code defining `fn main()` (plus any helpers and `var<workgroup>` arrays). It sees `result`
   * (output), one `array<f32>` per input, `uniforms`, and the builtins `localId`, `localIndex`,
   * `workgroupId`, `numWorkgroups`, `globalId`. It must read `uniforms` and every input: the pipeline
   * layout is derived from use, and tfjs always binds them all.
   */
  readonly code: string;
}

/** Largest workgroup count per dispatch dimension WebGPU guarantees. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/**
 * Runs a program and returns the output's TensorInfo (owned by the caller, like a kernel's output).
 * Passing `output` writes into an existing tensor instead of allocating one.
 */
export function runProgram(
  backend: WebGPUBackend,
  spec: ProgramSpec,
  inputs: readonly tf.TensorInfo[],
  uniformData: readonly ProgramUniform[] = [],
  output?: tf.TensorInfo,
): tf.TensorInfo {
  if (inputs.length !== spec.inputs.length) {
    throw new Error(`${spec.key}: ${spec.inputs.length} inputs expected, got ${inputs.length}`);
  }
  for (const d of spec.dispatch) {
    if (d < 1 || d > MAX_WORKGROUPS_PER_DIMENSION || !Number.isInteger(d)) {
      throw new Error(`${spec.key}: dispatch [${spec.dispatch.join(', ')}] outside 1..65535`);
    }
  }
  const program: WebGPUProgram = {
    variableNames: [...spec.inputs],
    outputShape: [...spec.outputShape],
    workgroupSize: [...spec.workgroupSize],
    dispatch: [...spec.dispatch],
    // A y-dimension layout longer than any output rank: tfjs then calls `main()` with no index and
    // generates no output-coordinate helper we would not use.
    dispatchLayout: { x: [], y: [0, 1, 2, 3, 4, 5, 6] },
    shaderKey: spec.key,
    size: false,
    uniforms: spec.uniforms ?? '',
    getUserCode: () => spec.code,
  };
  return backend.runWebGPUProgram(
    program,
    [...inputs],
    'float32',
    uniformData.map((u) => ({ type: u.type, data: [...u.data] })),
    output,
  );
}

/** Workgroup grid covering `count` workgroups in x (and y past the per-dimension limit). */
export function grid2d(count: number): [number, number, number] {
  const n = Math.max(1, Math.ceil(count));
  if (n <= MAX_WORKGROUPS_PER_DIMENSION) return [n, 1, 1];
  const y = Math.ceil(n / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(n / y), y, 1];
}

/** WGSL expression for the flat workgroup index of a grid2d dispatch. */
export const FLAT_WORKGROUP_ID = 'i32(workgroupId.y * numWorkgroups.x + workgroupId.x)';
