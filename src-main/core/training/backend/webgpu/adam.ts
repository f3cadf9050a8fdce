import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { NamedArrays, Optimizer } from '../../optim/optimizer.js';
import { webgpuInternals, type WebgpuInternals } from './internals.js';

/** Adam hyper-parameters, as the op-level Adam (optim/adam.ts) takes them. */
export interface FusedAdamConfig {
  readonly learningRate: number;
  /** First-moment decay (0.5 for CycleGAN, 0 for ProGAN). */
  readonly beta1: number;
  /** Second-moment decay (0.999 for CycleGAN, 0.99 for ProGAN). */
  readonly beta2: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
}

/** Slot names in saved state, as the op-level Adam (and tf.train.adam) name them. */
export function adamSlotNames(variableName: string): { m: string; v: string } {
  return { m: `${variableName}/m`, v: `${variableName}/v` };
}

const WORKGROUP = 256;
const MAX_WORKGROUPS = 65_535;
/** See the Scalars struct: 7 used, padded to 8 floats. */
const SCALARS = 8;

// PyTorch's formulation with the same arithmetic and order as the op-level Adam (optim/adam.ts), so
// the two agree to float rounding: m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
// w <- w - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
const ADAM_WGSL = /* wgsl */ `
struct Scalars {
  stepSize : f32, invSqrtCorrection2 : f32, beta1 : f32, oneMinusBeta1 : f32,
  beta2 : f32, oneMinusBeta2 : f32, eps : f32, unused : f32,
};
@group(0) @binding(0) var<uniform> s : Scalars;
@group(0) @binding(1) var<storage, read> grad : array<f32>;
@group(0) @binding(2) var<storage, read_write> w : array<f32>;
@group(0) @binding(3) var<storage, read_write> m : array<f32>;
@group(0) @binding(4) var<storage, read_write> v : array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  let n = arrayLength(&w);
  for (var i = gid.x; i < n; i += groups.x * ${WORKGROUP}u) {
    let g = grad[i];
    let m1 = s.beta1 * m[i] + s.oneMinusBeta1 * g;
    let v1 = s.beta2 * v[i] + s.oneMinusBeta2 * (g * g);
    m[i] = m1;
    v[i] = v1;
    w[i] = w[i] - s.stepSize * (m1 / (sqrt(v1) * s.invSqrtCorrection2 + s.eps));
  }
}`;

/**
 * Adam as one WebGPU dispatch per variable, updating the weight and both moments in place on the GPU
 * (tf.train.adam takes 14 dispatches per variable and allocates new tensors for all three). The moments
 * are tfjs tensors, so tf.memory() counts them; the scalars live in one small uniform buffer written once
 * per step. All updates of a step are recorded into tfjs's own command encoder (keeping its ordering)
 * and submitted once. Saved state has the op-level Adam's layout (`<name>/m`, `<name>/v`, iterations),
 * so checkpoints move between backends.
 */
export class WebgpuFusedAdam implements Optimizer {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly gpu: WebgpuInternals;
  private readonly pipeline: GPUComputePipeline;
  private readonly scalars: GPUBuffer;
  private readonly moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
  private iterationCount = 0;
  private dispatchCount = 0;
  private disposed = false;

  constructor(backend: WebGPUBackend, config: Readonly<FusedAdamConfig>) {
    const { learningRate, beta1, beta2 } = config;
    if (!(learningRate >= 0)) throw new RangeError(`Adam: learning rate must be >= 0, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`Adam: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`Adam: beta2 must be in [0, 1), got ${beta2}`);
    this.gpu = webgpuInternals(backend);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = config.epsilon ?? 1e-8;
    const device = this.gpu.device;
    this.pipeline = device.createComputePipeline({
      label: 'HfFusedAdam',
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: ADAM_WGSL }), entryPoint: 'main' },
    });
    this.scalars = device.createBuffer({
      label: 'HfFusedAdamScalars',
      size: SCALARS * 4,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  get iterations(): number {
    return this.iterationCount;
  }

  /** Raw dispatches recorded so far (for the benchmark's per-iteration census). */
  get dispatches(): number {
    return this.dispatchCount;
  }

  applyGradients(
    variables: Readonly<Record<string, tf.Variable>>,
    gradients: Record<string, tf.Tensor>,
  ): void {
    if (this.disposed) throw new Error('WebgpuFusedAdam: used after dispose()');
    const updates: Array<{ n: number; buffers: GPUBuffer[]; touched: tf.DataId[] }> = [];
    try {
      for (const [name, grad] of Object.entries(gradients)) {
        const variable = variables[name];
        if (!variable) throw new Error(`WebgpuFusedAdam: gradient for unknown variable '${name}'`);
        if (variable.dtype !== 'float32' || grad.dtype !== 'float32') {
          throw new Error(`WebgpuFusedAdam: '${name}' is ${variable.dtype}; only float32 is supported`);
        }
        if (!tf.util.arraysEqual(variable.shape, grad.shape)) {
          throw new Error(
            `WebgpuFusedAdam: gradient of '${name}' has shape [${grad.shape}], variable [${variable.shape}]`,
          );
        }
        if (variable.size === 0) continue;
        this.makeExclusive(variable);
        const { m, v } = this.momentsOf(name, variable);
        // Buffers first: an upload ends the compute pass, so none may happen while ours is open.
        const buffers = [grad, variable, m, v].map((t) => this.gpu.bufferOf(t.dataId));
        updates.push({ n: variable.size, buffers, touched: [variable.dataId, m.dataId, v.dataId] });
      }
      this.writeScalars(this.iterationCount + 1);
      const encoder = this.gpu.openEncoder();
      const pass = encoder.beginComputePass({ label: 'HfFusedAdam' });
      pass.setPipeline(this.pipeline);
      const layout = this.pipeline.getBindGroupLayout(0);
      for (const u of updates) {
        const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.scalars } }];
        u.buffers.forEach((buffer, i) =>
          entries.push({ binding: i + 1, resource: { buffer, offset: 0, size: u.n * 4 } }),
        );
        pass.setBindGroup(0, this.gpu.device.createBindGroup({ layout, entries }));
        pass.dispatchWorkgroups(Math.min(Math.ceil(u.n / WORKGROUP), MAX_WORKGROUPS));
        this.dispatchCount++;
      }
      pass.end();
      this.gpu.submit();
      // Written in place: a copy read back earlier and cached on the CPU is stale now.
      for (const u of updates) for (const id of u.touched) this.gpu.tensorData(id).values = null;
    } finally {
      tf.dispose(Object.values(gradients));
    }
    this.iterationCount++;
  }

  async saveState(): Promise<{ iterations: number; slots: NamedArrays }> {
    const slots: NamedArrays = {};
    for (const [name, { m, v }] of this.moments) {
      const names = adamSlotNames(name);
      slots[names.m] = { shape: [...m.shape], data: Float32Array.from(await m.data()) };
      slots[names.v] = { shape: [...v.shape], data: Float32Array.from(await v.data()) };
    }
    return { iterations: this.iterationCount, slots };
  }

  loadState(state: { iterations: number; slots: NamedArrays }): void {
    const pairs = new Map<string, { m?: NamedArrays[string]; v?: NamedArrays[string] }>();
    for (const [slot, value] of Object.entries(state.slots)) {
      const match = /^(.*)\/(m|v)$/.exec(slot);
      if (!match) throw new Error(`WebgpuFusedAdam: unexpected slot '${slot}' in saved Adam state`);
      const pair = pairs.get(match[1]!) ?? {};
      pair[match[2] as 'm' | 'v'] = value;
      pairs.set(match[1]!, pair);
    }
    for (const [name, pair] of pairs) {
      if (!pair.m || !pair.v) throw new Error(`WebgpuFusedAdam: saved state of '${name}' lacks m or v`);
    }
    this.disposeMoments();
    for (const [name, pair] of pairs) {
      this.moments.set(name, {
        m: tf.keep(tf.tensor(pair.m!.data, pair.m!.shape, 'float32')),
        v: tf.keep(tf.tensor(pair.v!.data, pair.v!.shape, 'float32')),
      });
    }
    this.iterationCount = state.iterations;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeMoments();
    this.scalars.destroy();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  private momentsOf(name: string, variable: tf.Variable): { m: tf.Tensor; v: tf.Tensor } {
    let moments = this.moments.get(name);
    if (moments && !tf.util.arraysEqual(moments.m.shape, variable.shape)) {
      throw new Error(
        `WebgpuFusedAdam: saved moments of '${name}' have shape [${moments.m.shape}], variable [${variable.shape}]`,
      );
    }
    if (!moments) {
      moments = { m: tf.keep(tf.zeros(variable.shape)), v: tf.keep(tf.zeros(variable.shape)) };
      this.moments.set(name, moments);
    }
    return moments;
  }

  /** In-place writes must not show through another tensor that shares the variable's buffer. */
  private makeExclusive(variable: tf.Variable): void {
    if (this.gpu.backend.refCount(variable.dataId) <= 1) return;
    const copy = tf.tidy(() => tf.add(variable, tf.scalar(0)));
    variable.assign(copy);
    copy.dispose();
  }

  /** The step's scalars, computed in double precision like the op-level Adam's. */
  private writeScalars(step: number): void {
    const data = new Float32Array([
      this.learningRate / (1 - this.beta1 ** step),
      1 / Math.sqrt(1 - this.beta2 ** step),
      this.beta1,
      1 - this.beta1,
      this.beta2,
      1 - this.beta2,
      this.epsilon,
      0,
    ]);
    this.gpu.queue.writeBuffer(this.scalars, 0, data);
  }
}
