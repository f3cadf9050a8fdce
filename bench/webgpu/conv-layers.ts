/**
 * The convolutions of one CycleGAN iteration (SPEC 5: ResNet generator, 70x70 PatchGAN), each written as
 * the forward convolution whose three kernels (forward, input gradient, filter gradient) training runs,
 * with how often each kernel runs per iteration (G step + D step, identity loss on: 6 generator passes,
 * 6 discriminator passes; counts as measured in notes/webgpu-perf.md). A transposed convolution is the
 * input gradient of the listed convolution, so its forward is counted under `inputGrad`.
 */
export interface ConvLayer {
  readonly name: string;
  /** Input of the equivalent forward convolution, NHWC. */
  readonly x: [number, number, number, number];
  /** [kH, kW, inC, outC]. */
  readonly w: [number, number, number, number];
  readonly stride: number;
  /** 'valid' or explicit [top, bottom] = [left, right] padding. */
  readonly pad: 'valid' | [number, number];
  /** Kernel runs per training iteration. */
  readonly perIteration: {
    readonly forward: number;
    readonly inputGrad: number;
    readonly filterGrad: number;
  };
}

export interface CycleganShape {
  readonly sizePx: number;
  readonly ngf: number;
  readonly ndf: number;
  readonly residualBlocks: number;
  readonly batch: number;
}

/** Every distinct convolution of the generator and discriminator at the given size. */
export function cycleganConvLayers(s: CycleganShape): ConvLayer[] {
  const { sizePx: r, ngf, ndf, batch: b } = s;
  const g = { forward: 6, inputGrad: 6, filterGrad: 6 };
  const res = {
    forward: 6 * 2 * s.residualBlocks,
    inputGrad: 6 * 2 * s.residualBlocks,
    filterGrad: 6 * 2 * s.residualBlocks,
  };
  // Transposed convs: forward = input gradient of this conv, input gradient = forward.
  const gT = { forward: 6, inputGrad: 6, filterGrad: 6 };
  const d = { forward: 6, inputGrad: 6, filterGrad: 4 };
  const q = r / 4;
  return [
    {
      name: 'G.c7s1 7x7 3->ngf',
      x: [b, r + 6, r + 6, 3],
      w: [7, 7, 3, ngf],
      stride: 1,
      pad: 'valid',
      perIteration: { ...g, inputGrad: 2 },
    },
    {
      name: 'G.down1 3x3 s2',
      x: [b, r, r, ngf],
      w: [3, 3, ngf, 2 * ngf],
      stride: 2,
      pad: [1, 1],
      perIteration: g,
    },
    {
      name: 'G.down2 3x3 s2',
      x: [b, r / 2, r / 2, 2 * ngf],
      w: [3, 3, 2 * ngf, 4 * ngf],
      stride: 2,
      pad: [1, 1],
      perIteration: g,
    },
    {
      name: 'G.res 3x3',
      x: [b, q + 2, q + 2, 4 * ngf],
      w: [3, 3, 4 * ngf, 4 * ngf],
      stride: 1,
      pad: 'valid',
      perIteration: res,
    },
    {
      name: 'G.up1 convT 3x3 s2',
      x: [b, r / 2, r / 2, 2 * ngf],
      w: [3, 3, 2 * ngf, 4 * ngf],
      stride: 2,
      pad: [1, 0],
      perIteration: gT,
    },
    {
      name: 'G.up2 convT 3x3 s2',
      x: [b, r, r, ngf],
      w: [3, 3, ngf, 2 * ngf],
      stride: 2,
      pad: [1, 0],
      perIteration: gT,
    },
    {
      name: 'G.out 7x7 ngf->3',
      x: [b, r + 6, r + 6, ngf],
      w: [7, 7, ngf, 3],
      stride: 1,
      pad: 'valid',
      perIteration: g,
    },
    {
      name: 'D.conv0 4x4 s2',
      x: [b, r, r, 3],
      w: [4, 4, 3, ndf],
      stride: 2,
      pad: [1, 1],
      perIteration: { ...d, inputGrad: 2 },
    },
    {
      name: 'D.conv1 4x4 s2',
      x: [b, r / 2, r / 2, ndf],
      w: [4, 4, ndf, 2 * ndf],
      stride: 2,
      pad: [1, 1],
      perIteration: d,
    },
    {
      name: 'D.conv2 4x4 s2',
      x: [b, r / 4, r / 4, 2 * ndf],
      w: [4, 4, 2 * ndf, 4 * ndf],
      stride: 2,
      pad: [1, 1],
      perIteration: d,
    },
    {
      name: 'D.conv3 4x4',
      x: [b, r / 8, r / 8, 4 * ndf],
      w: [4, 4, 4 * ndf, 8 * ndf],
      stride: 1,
      pad: [1, 1],
      perIteration: d,
    },
    {
      name: 'D.out 4x4 ->1',
      x: [b, r / 8 - 1, r / 8 - 1, 8 * ndf],
      w: [4, 4, 8 * ndf, 1],
      stride: 1,
      pad: [1, 1],
      perIteration: d,
    },
  ];
}

/** Output size of one spatial side. */
export function convOutSide(inSide: number, k: number, stride: number, pad: ConvLayer['pad']): number {
  const [before, after] = pad === 'valid' ? [0, 0] : pad;
  return Math.floor((inSide + before + after - k) / stride) + 1;
}

/** Multiply-accumulates of one run of any of the three kernels. */
export function convMacs(layer: ConvLayer): number {
  const [b, h, w] = layer.x;
  const [kh, kw, ci, co] = layer.w;
  return (
    b *
    convOutSide(h, kh, layer.stride, layer.pad) *
    convOutSide(w, kw, layer.stride, layer.pad) *
    kh *
    kw *
    ci *
    co
  );
}
