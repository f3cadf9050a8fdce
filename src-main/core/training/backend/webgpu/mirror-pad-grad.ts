import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FLAT_WORKGROUP_ID, grid2d, runProgram, type ProgramSpec, type ProgramUniform } from './program.js';

/**
 * The gradient of MirrorPad on WebGPU in one dispatch: each input element sums the output elements
 * that copy it (itself, and its mirror images in the padded borders of every padded axis, corners
 * included). The composite fold (grads/mirror-pad.ts: slices, reverses, pads and adds) takes about 14
 * dispatches per 2-D reflection pad; the CycleGAN generator pads before 23 of its convolutions.
 */
export const MIRROR_PAD_FOLD_KERNEL = 'HfMirrorPadFold';

const WG = 64;
/** Our MirrorPad gradient config keeps the one it replaced here. */
const WRAPPED = Symbol('replacedGradient');

interface FoldAttrs {
  paddings: Array<[number, number]>;
  mode: 'reflect' | 'symmetric';
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Program folding a rank-4 padded gradient back onto `xShape`. */
export function mirrorPadFoldProgram(
  xShape: readonly number[],
  paddings: ReadonlyArray<readonly [number, number]>,
  mode: 'reflect' | 'symmetric',
): { spec: ProgramSpec; uniforms: ProgramUniform[] } {
  const size = xShape.reduce((a, b) => a * b, 1);
  const axis = (i: number) => `
  let s${i} = sources(c${i}, uniforms.xDims[${i}], uniforms.before[${i}], uniforms.after[${i}]);`;
  return {
    spec: {
      key: 'HfMirrorPadFold',
      inputs: ['dy'],
      outputShape: xShape,
      workgroupSize: [WG, 1, 1],
      dispatch: grid2d(size / WG),
      uniforms: 'xDims : vec4<i32>, dyDims : vec4<i32>, before : vec4<i32>, after : vec4<i32>, offset : i32,',
      code: `
// Indices along one axis of dy whose values are copies of x index i: the centre, the mirror image in
// the leading border (dy[before - 1 - j] copies x[offset + j]) and in the trailing border
// (dy[before + n + j] copies x[n - 1 - offset - j]); -1 where there is none.
fn sources(i : i32, n : i32, before : i32, after : i32) -> vec3<i32> {
  var s = vec3<i32>(i + before, -1, -1);
  let j = i - uniforms.offset;
  if (j >= 0 && j < before) { s.y = before - 1 - j; }
  let k = n - 1 - uniforms.offset - i;
  if (k >= 0 && k < after) { s.z = before + n + k; }
  return s;
}

fn main() {
  let t = ${FLAT_WORKGROUP_ID} * ${WG} + i32(localIndex);
  let d = uniforms.xDims;
  if (t >= d.x * d.y * d.z * d.w) { return; }
  let c3 = t % d.w;
  let c2 = (t / d.w) % d.z;
  let c1 = (t / (d.w * d.z)) % d.y;
  let c0 = t / (d.w * d.z * d.y);
  ${[0, 1, 2, 3].map(axis).join('')}
  let e = uniforms.dyDims;
  var total = 0.0;
  for (var a = 0; a < 3; a++) {
    if (s0[a] < 0) { continue; }
    for (var b = 0; b < 3; b++) {
      if (s1[b] < 0) { continue; }
      for (var c = 0; c < 3; c++) {
        if (s2[c] < 0) { continue; }
        let row = ((s0[a] * e.y + s1[b]) * e.z + s2[c]) * e.w;
        for (var q = 0; q < 3; q++) {
          if (s3[q] < 0) { continue; }
          total += dy[row + s3[q]];
        }
      }
    }
  }
  result[t] = total;
}`,
    },
    uniforms: [
      { type: 'int32', data: [...xShape] },
      { type: 'int32', data: xShape.map((n, i) => n + paddings[i]![0] + paddings[i]![1]) },
      { type: 'int32', data: paddings.map((p) => p[0]) },
      { type: 'int32', data: paddings.map((p) => p[1]) },
      { type: 'int32', data: [mode === 'reflect' ? 1 : 0] },
    ],
  };
}

function foldKernel(args: KernelArgs): tf.TensorInfo {
  const { dy } = args.inputs as { dy: tf.TensorInfo };
  const { paddings, mode } = args.attrs as unknown as FoldAttrs;
  const xShape = dy.shape.map((n, i) => n - paddings[i]![0] - paddings[i]![1]);
  const p = mirrorPadFoldProgram(xShape, paddings, mode);
  return runProgram(args.backend as WebGPUBackend, p.spec, [dy], p.uniforms);
}

/** Puts back the MirrorPad gradient ours replaced, if ours is registered. */
export function restorePreviousMirrorPadGrad(): void {
  const current = tf.getGradient('MirrorPad') as (tf.GradConfig & { [WRAPPED]?: tf.GradConfig }) | undefined;
  if (current?.[WRAPPED]) tf.registerGradient(current[WRAPPED]);
}

/**
 * Registers the fold kernel (with its own gradient, mirror padding, so it stays second-order safe) and
 * a MirrorPad gradient that uses it on webgpu for rank-4 float32 tensors and otherwise defers to the
 * gradient registered before (ours from grads/mirror-pad.ts, or tfjs's). Returns the undo.
 */
export function registerMirrorPadGrad(): () => void {
  const current = tf.getGradient('MirrorPad') as (tf.GradConfig & { [WRAPPED]?: tf.GradConfig }) | undefined;
  // Installing twice must not wrap our own gradient.
  const previous = current?.[WRAPPED] ?? current;
  if (!previous) throw new Error('no MirrorPad gradient registered to fall back on');
  const hadKernel = tf.getKernel(MIRROR_PAD_FOLD_KERNEL, 'webgpu') !== undefined;
  if (!hadKernel) {
    tf.registerKernel({ kernelName: MIRROR_PAD_FOLD_KERNEL, backendName: 'webgpu', kernelFunc: foldKernel });
  }
  const previousFoldGrad = tf.getGradient(MIRROR_PAD_FOLD_KERNEL);
  tf.registerGradient({
    kernelName: MIRROR_PAD_FOLD_KERNEL,
    gradFunc: (dy, _saved, attrs) => {
      const { paddings, mode } = attrs as unknown as FoldAttrs;
      return { dy: () => tf.mirrorPad(dy as tf.Tensor4D, paddings, mode) };
    },
  });
  const ours: tf.GradConfig & { [WRAPPED]?: tf.GradConfig } = {
    kernelName: 'MirrorPad',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const g = dy as tf.Tensor;
      if (tf.getBackend() !== 'webgpu' || g.rank !== 4 || g.dtype !== 'float32') {
        return previous.gradFunc(dy, saved, attrs);
      }
      const { paddings, mode } = attrs as unknown as FoldAttrs;
      return {
        x: () => tf.engine().runKernel(MIRROR_PAD_FOLD_KERNEL, { dy: g }, { paddings, mode }) as tf.Tensor,
      };
    },
  };
  ours[WRAPPED] = previous;
  tf.registerGradient(ours);
  return () => {
    tf.registerGradient(previous);
    if (previousFoldGrad) tf.registerGradient(previousFoldGrad);
    if (!hadKernel) tf.unregisterKernel(MIRROR_PAD_FOLD_KERNEL, 'webgpu');
  };
}
