import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  compositeInstanceNormAct,
  type InstanceNormImpl,
  type NormActivation,
} from '../../ops/instance-norm.js';
import {
  applyProgram,
  backwardInputs,
  gradInputProgram,
  gradMergeProgram,
  gradParamProgram,
  gradPartialProgram,
  normDims,
  statsMergeProgram,
  statsPartialProgram,
} from './instance-norm-programs.js';
import { runProgram } from './program.js';

/** Kernel names of the fused instance norm (forward: y and stats; backward: dx, dgamma, dbeta). */
export const INSTANCE_NORM_KERNEL = 'HfInstanceNormAct';
export const INSTANCE_NORM_GRAD_KERNEL = 'HfInstanceNormActGrad';

type KernelArgs = Parameters<tf.KernelFunc>[0];

interface NormAttrs {
  activation: NormActivation;
  epsilon: number;
}

/** Forward: 3 dispatches. Outputs y (NHWC) and stats [batch, channels, 2] = (mean, 1/std). */
function forwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  const { activation, epsilon } = args.attrs as unknown as NormAttrs;
  const d = normDims(x.shape);
  const partialProgram = statsPartialProgram(d);
  const partial = runProgram(backend, partialProgram.spec, [x], partialProgram.uniforms);
  const mergeProgram = statsMergeProgram(d, epsilon);
  const stats = runProgram(backend, mergeProgram.spec, [partial], mergeProgram.uniforms);
  backend.disposeData(partial.dataId);
  const apply = applyProgram(d, activation);
  const y = runProgram(backend, apply.spec, [x, stats, gamma, beta], apply.uniforms);
  return [y, stats];
}

/** Backward: 4 dispatches at batch 1, 5 otherwise. Inputs x, y (the forward output), dy, stats, gamma. */
function backwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const inputs = args.inputs as Record<'x' | 'y' | 'dy' | 'stats' | 'gamma', tf.TensorInfo>;
  const { activation } = args.attrs as unknown as NormAttrs;
  const d = normDims(inputs.x.shape);
  const bound = backwardInputs(activation).map((name) => inputs[name as 'x' | 'y' | 'dy' | 'stats']);
  const partialProgram = gradPartialProgram(d, activation);
  const partial = runProgram(backend, partialProgram.spec, bound, partialProgram.uniforms);
  if (d.batch === 1) {
    // Per-(sample, channel) sums are the parameter gradients: 4 dispatches.
    const dGammaProgram = gradParamProgram(d, 'gamma', 'partial');
    const dGamma = runProgram(backend, dGammaProgram.spec, [partial], dGammaProgram.uniforms);
    const dBetaProgram = gradParamProgram(d, 'beta', 'partial');
    const dBeta = runProgram(backend, dBetaProgram.spec, [partial], dBetaProgram.uniforms);
    backend.disposeData(partial.dataId);
    const dxProgram = gradInputProgram(d, activation, 'params');
    const dx = runProgram(
      backend,
      dxProgram.spec,
      [...bound, inputs.gamma, dBeta, dGamma],
      dxProgram.uniforms,
    );
    return [dx, dGamma, dBeta];
  }
  const mergeProgram = gradMergeProgram(d);
  const sums = runProgram(backend, mergeProgram.spec, [partial], mergeProgram.uniforms);
  backend.disposeData(partial.dataId);
  const dxProgram = gradInputProgram(d, activation, 'sums');
  const dx = runProgram(backend, dxProgram.spec, [...bound, inputs.gamma, sums], dxProgram.uniforms);
  const dGammaProgram = gradParamProgram(d, 'gamma', 'sums');
  const dGamma = runProgram(backend, dGammaProgram.spec, [sums], dGammaProgram.uniforms);
  const dBetaProgram = gradParamProgram(d, 'beta', 'sums');
  const dBeta = runProgram(backend, dBetaProgram.spec, [sums], dBetaProgram.uniforms);
  backend.disposeData(sums.dataId);
  return [dx, dGamma, dBeta];
}

/**
 * Registers the two kernels for the webgpu backend (idempotent). Returns a function that unregisters
 * them again. They are internal to the fused op below, not tfjs ops of their own.
 */
export function registerInstanceNormKernels(): () => void {
  const configs: tf.KernelConfig[] = [
    { kernelName: INSTANCE_NORM_KERNEL, backendName: 'webgpu', kernelFunc: forwardKernel },
    { kernelName: INSTANCE_NORM_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: backwardKernel },
  ];
  const added = configs.filter((c) => !tf.getKernel(c.kernelName, 'webgpu'));
  added.forEach((c) => tf.registerKernel(c));
  return () => added.forEach((c) => tf.unregisterKernel(c.kernelName, 'webgpu'));
}

type NormFn = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D;

function makeNormFn(activation: NormActivation, epsilon: number): NormFn {
  const attrs = { activation, epsilon } as unknown as tf.NamedAttrMap;
  const fn = tf.customGrad(((
    x: tf.Tensor4D,
    gamma: tf.Tensor1D,
    beta: tf.Tensor1D,
    save: tf.GradSaveFunc,
  ) => {
    const [y, stats] = tf.engine().runKernel(INSTANCE_NORM_KERNEL, { x, gamma, beta }, attrs) as tf.Tensor[];
    save([x, gamma, y!, stats!]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sGamma, sy, sStats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf
          .engine()
          .runKernel(
            INSTANCE_NORM_GRAD_KERNEL,
            { x: sx, y: sy, dy, stats: sStats, gamma: sGamma },
            attrs,
          ) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return fn as unknown as NormFn;
}

/**
 * Instance norm + activation as 3 forward and 4 (batch 1) or 5 backward WebGPU dispatches (the
 * composite needs about 12 and 26). First-order gradients only: the backward kernel has no gradient of
 * its own, which is what
 * CycleGAN needs (no gradient penalty); ProGAN uses pixel norm, not instance norm. Anything but float32
 * NHWC with [channels] scale and shift goes to the composite version.
 */
export function fusedInstanceNormAct(): InstanceNormImpl {
  const fns = new Map<string, NormFn>();
  return (x, gamma, beta, activation, epsilon) => {
    const channels = x.shape[3];
    const supported =
      x.rank === 4 &&
      x.dtype === 'float32' &&
      gamma.dtype === 'float32' &&
      beta.dtype === 'float32' &&
      x.size > 0 &&
      gamma.shape.length === 1 &&
      gamma.shape[0] === channels &&
      beta.shape.length === 1 &&
      beta.shape[0] === channels &&
      tf.getBackend() === 'webgpu' &&
      tf.getKernel(INSTANCE_NORM_KERNEL, 'webgpu') !== undefined;
    if (!supported) return compositeInstanceNormAct(x, gamma, beta, activation, epsilon);
    const key = `${activation}:${epsilon}`;
    let fn = fns.get(key);
    if (!fn) {
      fn = makeNormFn(activation, epsilon);
      fns.set(key, fn);
    }
    return fn(x, gamma, beta);
  };
}
