/**
 * Conv2DBackpropFilter: tfjs-cpu's stock kernel against ours ('conv': one dilated convolution;
 * 'per-tap': a strided slice and matMul per tap) on cpu and wasm, shapes from the CycleGAN presets.
 *   npx tsx bench/training/conv-filter-grad.ts [--repeats=3]
 * Prints one JSON line per backend and shape, ms per call and the speed-up of 'conv'.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src-main/core/training/backend/select.js';
import {
  conv2dFilterGradient,
  type FilterGradStrategy,
} from '../../src-main/core/training/kernels/conv2d-backprop-filter.js';

type Pad = 'same' | number;
const SHAPES: Array<{
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: Pad;
}> = [
  { label: 'G c7s1 64px ngf16', x: [1, 70, 70, 3], filter: [7, 7, 3, 16], stride: 1, pad: 0 },
  { label: 'G down 64px ngf16', x: [1, 64, 64, 16], filter: [3, 3, 16, 32], stride: 2, pad: 1 },
  { label: 'G res 64px ngf16', x: [1, 18, 18, 64], filter: [3, 3, 64, 64], stride: 1, pad: 0 },
  { label: 'D conv0 64px ndf16', x: [1, 64, 64, 3], filter: [4, 4, 3, 16], stride: 2, pad: 1 },
  { label: 'D conv3 64px ndf16', x: [1, 8, 8, 64], filter: [4, 4, 64, 128], stride: 1, pad: 1 },
  { label: 'G res 256px ngf64', x: [1, 66, 66, 256], filter: [3, 3, 256, 256], stride: 1, pad: 0 },
];

const repeatsArg = process.argv.find((a) => a.startsWith('--repeats='));
const repeats = repeatsArg ? Number(repeatsArg.slice(10)) : 3;

async function ms(f: () => tf.Tensor): Promise<number> {
  const warm = f(); // first call: kernel set-up, not timed
  await warm.data();
  warm.dispose();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) {
    const out = f();
    await out.data();
    out.dispose();
  }
  return (performance.now() - start) / repeats;
}

await tf.setBackend('cpu');
const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu')!;
for (const backend of ['cpu', 'wasm'] as const) {
  await selectBackend({ preferred: backend });
  for (const s of SHAPES) {
    const explicit = typeof s.pad === 'number' ? s.pad : 0;
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [explicit, explicit],
      [explicit, explicit],
      [0, 0],
    ];
    const info = tf.backend_util.computeConv2DInfo(s.x, s.filter, s.stride, 1, pad);
    const x = tf.randomNormal(s.x) as tf.Tensor4D;
    const dy = tf.randomNormal(info.outShape) as tf.Tensor4D;
    const ours = (strategy: FilterGradStrategy) => () =>
      conv2dFilterGradient(x, dy, s.filter, s.stride, pad, undefined, strategy);
    const row: Record<string, unknown> = { backend, shape: s.label };
    row.convMs = +(await ms(ours('conv'))).toFixed(1);
    row.perTapMs = +(await ms(ours('per-tap'))).toFixed(1);
    if (backend === 'cpu' && s.x[3] * s.filter[3] <= 64 * 128) {
      const cpuBackend = tf.backend();
      const attrs = { strides: s.stride, pad, dataFormat: 'NHWC', filterShape: s.filter };
      row.stockCpuMs = +(
        await ms(() => {
          const info2 = stock.kernelFunc({
            inputs: { x, dy },
            backend: cpuBackend,
            attrs: attrs as unknown as tf.NamedAttrMap,
          }) as tf.TensorInfo;
          return tf.engine().makeTensorFromTensorInfo(info2);
        })
      ).toFixed(1);
      row.speedupVsStock = +((row.stockCpuMs as number) / (row.convMs as number)).toFixed(1);
    }
    row.speedupVsPerTap = +((row.perTapMs as number) / (row.convMs as number)).toFixed(1);
    console.log(JSON.stringify(row));
    tf.dispose([x, dy]);
  }
}
