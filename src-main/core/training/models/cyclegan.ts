import * as tf from '@tensorflow/tfjs';
import { leakyRelu } from '../ops/activation.js';
import { conv2d, conv2dTranspose, type Conv2dOptions } from '../ops/conv.js';
import { instanceNormAct, type NormActivation } from '../ops/instance-norm.js';
import {
  createVariables,
  disposeVariables,
  type InitialValues,
  type ModelVariables,
  type ParameterSpec,
} from './parameters.js';

/**
 * CycleGAN's networks as in SPEC 5 and the authors' PyTorch release (pytorch-CycleGAN-and-pix2pix):
 * a ResNet generator and an N-layer PatchGAN discriminator, instance norm (eps 1e-5) without affine
 * parameters and with conv biases (their `--norm instance` default), weights N(0, 0.02), biases 0.
 * NHWC throughout; images in [-1, 1].
 */
export interface CycleganGeneratorConfig {
  /** Filters of the first layer (64 in the paper); the encoder doubles it twice. */
  readonly ngf: number;
  /** Residual blocks at the bottleneck (9 for 256 px in the paper). */
  readonly residualBlocks: number;
  /** Learned instance-norm scale and shift (the reference has none). Default false. */
  readonly normAffine?: boolean;
}

export interface PatchDiscriminatorConfig {
  /** Filters of the first layer (64 in the paper), doubled per layer up to 8x. */
  readonly ndf: number;
  /** Stride-2 layers (3 gives the 70x70 receptive field). */
  readonly layers: number;
  readonly normAffine?: boolean;
}

/** A network: its variables by stable name and its forward pass. */
export interface ImageNetwork<TConfig> {
  readonly scope: string;
  readonly config: TConfig;
  readonly variables: ModelVariables;
  /** Forward pass on NHWC images in [-1, 1]. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
  /** Frees the variables and constants. */
  dispose(): void;
}

export type CycleganGenerator = ImageNetwork<CycleganGeneratorConfig>;
export type PatchDiscriminator = ImageNetwork<PatchDiscriminatorConfig>;

const WEIGHT_INIT = { kind: 'normal', mean: 0, std: 0.02 } as const;
const ZERO = { kind: 'constant', value: 0 } as const;
const NORM_GAMMA_INIT = { kind: 'normal', mean: 1, std: 0.02 } as const;

interface LayerShape {
  readonly name: string;
  readonly kernel: readonly [number, number, number, number];
  /** Whether the layer is followed by instance norm (which then has parameters if affine). */
  readonly norm: boolean;
}

function generatorLayers(config: CycleganGeneratorConfig): LayerShape[] {
  const { ngf, residualBlocks } = config;
  const layers: LayerShape[] = [{ name: 'c7s1', kernel: [7, 7, 3, ngf], norm: true }];
  layers.push({ name: 'down1', kernel: [3, 3, ngf, ngf * 2], norm: true });
  layers.push({ name: 'down2', kernel: [3, 3, ngf * 2, ngf * 4], norm: true });
  for (let i = 0; i < residualBlocks; i++) {
    layers.push({ name: `res${i}/conv1`, kernel: [3, 3, ngf * 4, ngf * 4], norm: true });
    layers.push({ name: `res${i}/conv2`, kernel: [3, 3, ngf * 4, ngf * 4], norm: true });
  }
  // Transposed convolutions: TF.js kernel layout [kh, kw, out, in].
  layers.push({ name: 'up1', kernel: [3, 3, ngf * 2, ngf * 4], norm: true });
  layers.push({ name: 'up2', kernel: [3, 3, ngf, ngf * 2], norm: true });
  layers.push({ name: 'out', kernel: [7, 7, ngf, 3], norm: false });
  return layers;
}

function discriminatorLayers(config: PatchDiscriminatorConfig): LayerShape[] {
  const { ndf, layers: n } = config;
  const width = (i: number): number => ndf * Math.min(2 ** i, 8);
  const layers: LayerShape[] = [{ name: 'conv0', kernel: [4, 4, 3, ndf], norm: false }];
  for (let i = 1; i <= n; i++) {
    layers.push({ name: `conv${i}`, kernel: [4, 4, width(i - 1), width(i)], norm: true });
  }
  layers.push({ name: 'out', kernel: [4, 4, width(n), 1], norm: false });
  return layers;
}

function layerSpecs(scope: string, layers: readonly LayerShape[], normAffine: boolean): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  for (const layer of layers) {
    const outChannels = layer.name.startsWith('up') ? layer.kernel[2] : layer.kernel[3];
    specs.push({ name: `${scope}/${layer.name}/kernel`, shape: layer.kernel, init: WEIGHT_INIT });
    specs.push({ name: `${scope}/${layer.name}/bias`, shape: [outChannels], init: ZERO });
    if (layer.norm && normAffine) {
      specs.push({ name: `${scope}/${layer.name}/norm/gamma`, shape: [outChannels], init: NORM_GAMMA_INIT });
      specs.push({ name: `${scope}/${layer.name}/norm/beta`, shape: [outChannels], init: ZERO });
    }
  }
  return specs;
}

/** Parameters of a ResNet generator, in creation order. */
export function cycleganGeneratorSpecs(config: CycleganGeneratorConfig, scope: string): ParameterSpec[] {
  return layerSpecs(scope, generatorLayers(config), config.normAffine ?? false);
}

/** Parameters of a PatchGAN discriminator, in creation order. */
export function patchDiscriminatorSpecs(config: PatchDiscriminatorConfig, scope: string): ParameterSpec[] {
  return layerSpecs(scope, discriminatorLayers(config), config.normAffine ?? false);
}

/** Access to one network's layers by local name, shared by both builders. */
class LayerSet {
  private readonly identity = new Map<number, [tf.Tensor1D, tf.Tensor1D]>();

  constructor(
    private readonly scope: string,
    readonly variables: ModelVariables,
    private readonly normAffine: boolean,
  ) {}

  private param(name: string): tf.Variable {
    const v = this.variables[`${this.scope}/${name}`];
    if (!v) throw new Error(`${this.scope}: no variable '${name}'`);
    return v;
  }

  conv(x: tf.Tensor4D, layer: string, options: Conv2dOptions): tf.Tensor4D {
    return conv2d(
      x,
      this.param(`${layer}/kernel`) as tf.Tensor4D,
      this.param(`${layer}/bias`) as tf.Tensor1D,
      options,
    );
  }

  convTranspose(x: tf.Tensor4D, layer: string): tf.Tensor4D {
    // PyTorch ConvTranspose2d(k3, stride 2, padding 1, output_padding 1): exactly doubles the size.
    return conv2dTranspose(
      x,
      this.param(`${layer}/kernel`) as tf.Tensor4D,
      this.param(`${layer}/bias`) as tf.Tensor1D,
      {
        stride: 2,
        padPx: 1,
        outputPadPx: 1,
      },
    );
  }

  norm(x: tf.Tensor4D, layer: string, activation: NormActivation): tf.Tensor4D {
    if (this.normAffine) {
      const gamma = this.param(`${layer}/norm/gamma`) as tf.Tensor1D;
      return instanceNormAct(x, gamma, this.param(`${layer}/norm/beta`) as tf.Tensor1D, activation, 1e-5);
    }
    const channels = x.shape[3];
    let pair = this.identity.get(channels);
    if (!pair) {
      pair = [tf.keep(tf.ones([channels])), tf.keep(tf.zeros([channels]))];
      this.identity.set(channels, pair);
    }
    return instanceNormAct(x, pair[0], pair[1], activation, 1e-5);
  }

  dispose(): void {
    for (const [g, b] of this.identity.values()) {
      g.dispose();
      b.dispose();
    }
    this.identity.clear();
    disposeVariables(this.variables);
  }
}

/**
 * ResNet generator: c7s1-ngf (reflection pad 3), two stride-2 3x3 convs to 4*ngf, residual blocks
 * (reflection pad 1, conv, IN, ReLU, reflection pad 1, conv, IN; plus the input), two transposed
 * convs back to ngf, c7s1-3 (reflection pad 3) and tanh. Input sides must be multiples of 4.
 * @param scope prefix of the variable names, e.g. 'generatorAB'
 */
export function createCycleganGenerator(
  config: CycleganGeneratorConfig,
  initialValues: InitialValues,
  scope: string,
): CycleganGenerator {
  const variables = createVariables(cycleganGeneratorSpecs(config, scope), initialValues);
  const layers = new LayerSet(scope, variables, config.normAffine ?? false);
  const apply = (x: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      let h = layers.norm(layers.conv(x, 'c7s1', { padPx: 3, border: 'reflect' }), 'c7s1', 'relu');
      h = layers.norm(layers.conv(h, 'down1', { stride: 2, padPx: 1 }), 'down1', 'relu');
      h = layers.norm(layers.conv(h, 'down2', { stride: 2, padPx: 1 }), 'down2', 'relu');
      for (let i = 0; i < config.residualBlocks; i++) {
        const a = `res${i}/conv1`;
        const b = `res${i}/conv2`;
        let r = layers.norm(layers.conv(h, a, { padPx: 1, border: 'reflect' }), a, 'relu');
        r = layers.norm(layers.conv(r, b, { padPx: 1, border: 'reflect' }), b, 'none');
        h = tf.add(h, r);
      }
      h = layers.norm(layers.convTranspose(h, 'up1'), 'up1', 'relu');
      h = layers.norm(layers.convTranspose(h, 'up2'), 'up2', 'relu');
      return tf.tanh(layers.conv(h, 'out', { padPx: 3, border: 'reflect' }));
    });
  return { scope, config, variables, apply, dispose: () => layers.dispose() };
}

/**
 * N-layer PatchGAN: 4x4 convs with padding 1; ndf stride 2 without norm, then `layers - 1` stride-2
 * convs and one stride-1 conv with IN, all with leaky ReLU 0.2, then a stride-1 conv to one channel.
 * With 3 layers each output pixel sees 70x70 input pixels; 256 px in gives 30x30 scores.
 */
export function createPatchDiscriminator(
  config: PatchDiscriminatorConfig,
  initialValues: InitialValues,
  scope: string,
): PatchDiscriminator {
  const variables = createVariables(patchDiscriminatorSpecs(config, scope), initialValues);
  const layers = new LayerSet(scope, variables, config.normAffine ?? false);
  const apply = (x: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      let h = leakyRelu(layers.conv(x, 'conv0', { stride: 2, padPx: 1 }));
      for (let i = 1; i <= config.layers; i++) {
        const stride = i < config.layers ? 2 : 1;
        h = layers.norm(layers.conv(h, `conv${i}`, { stride, padPx: 1 }), `conv${i}`, 'lrelu');
      }
      return layers.conv(h, 'out', { padPx: 1 });
    });
  return { scope, config, variables, apply, dispose: () => layers.dispose() };
}
