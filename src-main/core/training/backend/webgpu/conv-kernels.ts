import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  convFilterGradProgram,
  convForwardProgram,
  convInputGradProgram,
  filterGradSlices,
  sumSlicesProgram,
} from './conv-programs.js';
import type { TilingPolicy } from './gemm.js';
import { runProgram } from './program.js';

/** Which of tfjs's webgpu convolution kernels to replace with ours. */
export interface ConvKernelChoice {
  /** Conv2D (tfjs's is already a tiled implicit GEMM: replace only where ours measures faster). */
  readonly forward: boolean;
  /** Conv2DBackpropFilter (tfjs's is naive: one thread per weight looping over every pixel). */
  readonly filterGrad: boolean;
  /** Conv2DBackpropInput, also conv2dTranspose's forward (tfjs's default is naive). */
  readonly inputGrad: boolean;
  /** GEMM tile choice (default 'auto'; 'large' for the benchmark to compare). */
  readonly tiling?: TilingPolicy;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
};

/** Cases our kernels handle; anything else goes to the stock kernel. */
function supported(attrs: ConvAttrs, ...tensors: tf.TensorInfo[]): boolean {
  const dilations = attrs.dilations ?? 1;
  const unitDilation = Array.isArray(dilations) ? dilations.every((d) => d === 1) : dilations === 1;
  return (
    attrs.dataFormat !== 'NCHW' &&
    unitDilation &&
    tensors.every((t) => t.dtype === 'float32' && t.shape.length === 4)
  );
}

function forwardKernel(args: KernelArgs, policy: TilingPolicy): tf.TensorInfo {
  const { x, filter } = args.inputs as Record<'x' | 'filter', tf.TensorInfo>;
  const a = args.attrs as unknown as ConvAttrs;
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const p = convForwardProgram(c, policy);
  return runProgram(args.backend as WebGPUBackend, p.spec, [x, filter], p.uniforms);
}

function filterGradKernel(args: KernelArgs, policy: TilingPolicy): tf.TensorInfo {
  const { x, dy } = args.inputs as Record<'x' | 'dy', tf.TensorInfo>;
  const a = args.attrs as unknown as ConvAttrs;
  const backend = args.backend as WebGPUBackend;
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape!,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const p = convFilterGradProgram(c, policy);
  const out = runProgram(backend, p.spec, [x, dy], p.uniforms);
  const { slices } = filterGradSlices(c, policy);
  if (slices === 1) return out;
  const sum = sumSlicesProgram(slices, a.filterShape!);
  const total = runProgram(backend, sum.spec, [out], sum.uniforms);
  backend.disposeData(out.dataId);
  return total;
}

function inputGradKernel(args: KernelArgs, policy: TilingPolicy): tf.TensorInfo {
  const { dy, filter } = args.inputs as Record<'dy' | 'filter', tf.TensorInfo>;
  const a = args.attrs as unknown as ConvAttrs;
  const c = tf.backend_util.computeConv2DInfo(
    a.inputShape!,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const p = convInputGradProgram(c, policy);
  return runProgram(args.backend as WebGPUBackend, p.spec, [dy, filter], p.uniforms);
}

const OURS: ReadonlyArray<{
  choice: Exclude<keyof ConvKernelChoice, 'tiling'>;
  kernelName: string;
  inputs: readonly string[];
  kernel: (args: KernelArgs, policy: TilingPolicy) => tf.TensorInfo;
}> = [
  { choice: 'forward', kernelName: tf.Conv2D, inputs: ['x', 'filter'], kernel: forwardKernel },
  {
    choice: 'filterGrad',
    kernelName: tf.Conv2DBackpropFilter,
    inputs: ['x', 'dy'],
    kernel: filterGradKernel,
  },
  {
    choice: 'inputGrad',
    kernelName: tf.Conv2DBackpropInput,
    inputs: ['dy', 'filter'],
    kernel: inputGradKernel,
  },
];

/** Marks our kernel functions with the stock config they wrap, so installing twice never wraps ours. */
const STOCK = Symbol('stockKernel');
type Wrapped = tf.KernelFunc & { [STOCK]?: tf.KernelConfig };

/** The stock tfjs config of a kernel, looking through our wrapper if it is installed. */
function stockKernel(kernelName: string): tf.KernelConfig | undefined {
  const current = tf.getKernel(kernelName, 'webgpu');
  return (current?.kernelFunc as Wrapped | undefined)?.[STOCK] ?? current;
}

/** Puts tfjs's own convolution kernels back wherever ours are registered (whoever installed them). */
export function restoreStockConvKernels(): void {
  for (const k of OURS) {
    const stock = (tf.getKernel(k.kernelName, 'webgpu')?.kernelFunc as Wrapped | undefined)?.[STOCK];
    if (!stock) continue;
    tf.unregisterKernel(k.kernelName, 'webgpu');
    tf.registerKernel(stock);
  }
}

/**
 * Replaces the chosen webgpu convolution kernels with our implicit-GEMM ones; unsupported cases
 * (NCHW, dilation, non-float32) still run the stock kernel. Returns a function restoring the stock
 * kernels, so a benchmark can compare both in one process.
 */
export function registerConvKernels(choice: Readonly<ConvKernelChoice>): () => void {
  const restore: Array<() => void> = [];
  for (const k of OURS) {
    if (!choice[k.choice]) continue;
    const stock = stockKernel(k.kernelName);
    if (!stock) throw new Error(`tfjs-backend-webgpu has no ${k.kernelName} kernel to replace`);
    const kernelFunc: Wrapped = (args) => {
      const tensors = k.inputs.map((name) => (args.inputs as tf.NamedTensorInfoMap)[name]!);
      return supported(args.attrs as unknown as ConvAttrs, ...tensors)
        ? k.kernel(args, choice.tiling ?? 'auto')
        : stock.kernelFunc(args);
    };
    kernelFunc[STOCK] = stock;
    tf.unregisterKernel(k.kernelName, 'webgpu');
    tf.registerKernel({ ...stock, kernelFunc });
    restore.push(() => {
      tf.unregisterKernel(k.kernelName, 'webgpu');
      tf.registerKernel(stock);
    });
  }
  return () => restore.reverse().forEach((r) => r());
}
