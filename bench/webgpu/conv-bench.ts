import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerConvKernels } from '../../src-main/core/training/backend/webgpu/conv-kernels.js';
import { webgpuInternals } from '../../src-main/core/training/backend/webgpu/internals.js';
import { convMacs, cycleganConvLayers, type ConvLayer, type CycleganShape } from './conv-layers.js';

/** Kernel implementations compared per layer. */
/**
 * stock: tfjs 4.22's default kernels; stockMM: its tiled input gradient (flag
 * WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=false); ours: implicit GEMM with automatic tiles; oursLarge: the
 * same with 128 x 128 tiles wherever the output has >= 128 columns.
 */
export const CONV_VARIANTS = ['stock', 'stockMM', 'ours', 'oursLarge'] as const;
export type ConvVariant = (typeof CONV_VARIANTS)[number];
const KERNELS = ['forward', 'inputGrad', 'filterGrad'] as const;
type Kernel = (typeof KERNELS)[number];

export interface ConvBenchOptions {
  readonly shape: CycleganShape;
  /** Timed wall time to aim for per measurement (ms). */
  readonly minMs: number;
  readonly maxReps: number;
  readonly variants: readonly ConvVariant[];
  readonly log: (line: string) => void;
}

export interface ConvKernelFigure {
  readonly layer: string;
  readonly kernel: Kernel;
  readonly variant: ConvVariant;
  readonly ms: number;
  readonly tflops: number;
  /** max |this - stock| / max |stock|, the on-device correctness check. */
  readonly relDiffToStock: number;
}

export interface ConvBenchResult {
  readonly figures: ConvKernelFigure[];
  /** Sum over layers and kernels of ms x runs per iteration, per variant (best per kernel in `best`). */
  readonly modelledMsPerIteration: Record<string, number>;
  readonly gflopPerIteration: number;
}

function attrsFor(layer: ConvLayer, kernel: Kernel): tf.NamedAttrMap {
  const pad =
    layer.pad === 'valid'
      ? 'valid'
      : [
          [0, 0],
          [layer.pad[0], layer.pad[1]],
          [layer.pad[0], layer.pad[1]],
          [0, 0],
        ];
  const common = {
    strides: [layer.stride, layer.stride],
    pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  };
  if (kernel === 'forward') return { ...common, dilations: [1, 1] } as unknown as tf.NamedAttrMap;
  if (kernel === 'inputGrad') return { ...common, inputShape: layer.x } as unknown as tf.NamedAttrMap;
  return { ...common, filterShape: layer.w } as unknown as tf.NamedAttrMap;
}

/** Switches the convolution kernels to one variant; returns the undo. */
function useVariant(variant: ConvVariant): () => void {
  const flag = 'WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE';
  const before = tf.env().getBool(flag);
  tf.env().set(flag, variant !== 'stockMM');
  const restore =
    variant === 'ours' || variant === 'oursLarge'
      ? registerConvKernels({
          forward: true,
          filterGrad: true,
          inputGrad: true,
          tiling: variant === 'oursLarge' ? 'large' : 'auto',
        })
      : () => {};
  return () => {
    restore();
    tf.env().set(flag, before);
  };
}

/**
 * Times tfjs's and our convolution kernels on every CycleGAN layer: wall time per run over enough runs
 * (GPU work included: the queue is drained before the clock stops), TFLOP/s, and each variant's result
 * against the stock kernel's, then the conv time one iteration would take with each variant.
 */
export async function benchConvKernels(options: Readonly<ConvBenchOptions>): Promise<ConvBenchResult> {
  const gpu = webgpuInternals(tf.backend() as WebGPUBackend);
  const sync = async (): Promise<void> => {
    gpu.submit();
    await gpu.queue.onSubmittedWorkDone();
  };
  const figures: ConvKernelFigure[] = [];
  const layers = cycleganConvLayers(options.shape);
  for (const layer of layers) {
    const x = tf.randomNormal(layer.x);
    const w = tf.randomNormal(layer.w, 0, 0.05);
    const y = tf.engine().runKernel(tf.Conv2D, { x, filter: w }, attrsFor(layer, 'forward')) as tf.Tensor;
    const dy = tf.randomNormal(y.shape);
    const inputs: Record<Kernel, [string, tf.NamedTensorMap]> = {
      forward: [tf.Conv2D, { x, filter: w }],
      inputGrad: [tf.Conv2DBackpropInput, { dy, filter: w }],
      filterGrad: [tf.Conv2DBackpropFilter, { x, dy }],
    };
    const macs = convMacs(layer);
    for (const kernel of KERNELS) {
      const [name, kernelInputs] = inputs[kernel];
      const attrs = attrsFor(layer, kernel);
      const run = () => tf.engine().runKernel(name, kernelInputs, attrs) as tf.Tensor;
      let stockValues: Float32Array | null = null;
      for (const variant of options.variants) {
        const undo = useVariant(variant);
        try {
          const first = run();
          const values = (await first.data()) as Float32Array;
          first.dispose();
          stockValues ??= variant === 'stock' ? values : null;
          let single = performance.now();
          run().dispose();
          await sync();
          single = performance.now() - single;
          const reps = Math.max(
            1,
            Math.min(options.maxReps, Math.ceil(options.minMs / Math.max(single, 1e-3))),
          );
          const t0 = performance.now();
          for (let i = 0; i < reps; i++) run().dispose();
          await sync();
          const ms = (performance.now() - t0) / reps;
          const figure: ConvKernelFigure = {
            layer: layer.name,
            kernel,
            variant,
            ms: round(ms, 4),
            tflops: round((2 * macs) / (ms * 1e9), 3),
            relDiffToStock: stockValues ? round(relDiff(stockValues, values), 9) : NaN,
          };
          figures.push(figure);
          options.log(
            `${layer.name.padEnd(22)} ${kernel.padEnd(10)} ${variant.padEnd(7)} ${ms.toFixed(3).padStart(9)} ms ` +
              `${figure.tflops.toFixed(2).padStart(7)} TFLOP/s  diff ${figure.relDiffToStock.toExponential(1)}`,
          );
        } finally {
          undo();
        }
      }
    }
    tf.dispose([x, w, y, dy]);
  }
  const modelled: Record<string, number> = {};
  for (const variant of [...options.variants, 'best'] as const) {
    let total = 0;
    for (const layer of layers) {
      for (const kernel of KERNELS) {
        const candidates = figures.filter(
          (f) =>
            f.layer === layer.name && f.kernel === kernel && (variant === 'best' || f.variant === variant),
        );
        total += Math.min(...candidates.map((f) => f.ms)) * layer.perIteration[kernel];
      }
    }
    modelled[variant] = round(total, 1);
  }
  const flop = layers.reduce(
    (s, l) =>
      s + 2 * convMacs(l) * (l.perIteration.forward + l.perIteration.inputGrad + l.perIteration.filterGrad),
    0,
  );
  return { figures, modelledMsPerIteration: modelled, gflopPerIteration: round(flop / 1e9, 1) };
}

function relDiff(ref: Float32Array, got: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - got[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
