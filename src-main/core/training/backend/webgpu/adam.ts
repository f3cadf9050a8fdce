import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { NamedArrays, Optimizer } from '../../optim/optimizer.js';
import { webgpuInternals, type WebgpuInternals } from './internals.js';

/** Adam hyper-parameters; the defaults are tf.train.adam's. */
export interface FusedAdamConfig {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  /** Added to sqrt(v^); tfjs's default for float32 is 1e-7. */
  readonly epsilon?: number;
}

/** Slot names in saved state, as tf.train.adam names them, so checkpoints move between backends. */
export function adamSlotNames(variableName: string): { m: string; v: string } {
  return { m: `${variableName}/m`, v: `${variableName}/v` };
}

const WORKGROUP = 256;
const MAX_WORKGROUPS = 65_535;
/** lr, beta1, beta2, epsilon, 1 - beta1^t, 1 - beta2^t, 1 - beta1, 1 - beta2 (f32 each). */
const SCALARS = 8;

// Same arithmetic and order as tf.train.adam (tfjs-core 4.22), so the two agree to float rounding.
const ADAM_WGSL = /* wgsl */ `
struct Scalars {
  lr : f32, beta1 : f32, beta2 : f32, eps : f32,
  oneMinusAccBeta1 : f32, oneMinusAccBeta2 : f32, oneMinusBeta1 : f32, oneMinusBeta2 : f32,
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
    let m1 = m[i] * s.beta1 + g * s.oneMinusBeta1;
    let v1 = v[i] * s.beta2 + (g * g) * s.oneMinusBeta2;
    m[i] = m1;
    v[i] = v1;
    let mHat = m1 / s.oneMinusAccBeta1;
    let vHat = v1 / s.oneMinusAccBeta2;
    w[i] = (mHat / (sqrt(vHat) + s.eps)) * (-s.lr) + w[i];
  }
}`;

/**
 * Adam as one WebGPU dispatch per variable, updating the weight and both moments in place on the GPU
 * (tf.train.adam takes 14 dispatches per variable and allocates new tensors for all three). The moments
 * are tfjs tensors, so tf.memory() counts them; the scalars live in one small uniform buffer written once
 * per step. All updates of a step are recorded into tfjs's own command encoder (keeping its ordering)
 * and submitted once. Saved state has tf.train.adam's layout: `<name>/m`, `<name>/v` and iterations.
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
  /** beta^(t+1) in float32, updated by multiplication each step like tf.train.adam's accBeta. */
  private accBeta1: number;
  private accBeta2: number;
  private dispatchCount = 0;
  private disposed = false;

  constructor(backend: WebGPUBackend, config: Readonly<FusedAdamConfig>) {
    this.gpu = webgpuInternals(backend);
    this.learningRate = config.learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-7;
    this.accBeta1 = Math.fround(this.beta1);
    this.accBeta2 = Math.fround(this.beta2);
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
      this.writeScalars();
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
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
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
    // beta^(iterations + 1) by the same float32 products as uninterrupted steps, so a resumed run
    // continues bit for bit (tf.train.adam uses pow here: the same to ~1e-7).
    this.accBeta1 = Math.fround(this.beta1);
    this.accBeta2 = Math.fround(this.beta2);
    for (let i = 0; i < state.iterations; i++) {
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    }
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

  private writeScalars(): void {
    const f = Math.fround;
    const data = new Float32Array([
      this.learningRate,
      this.beta1,
      this.beta2,
      this.epsilon,
      f(1 - this.accBeta1),
      f(1 - this.accBeta2),
      f(1 - this.beta1),
      f(1 - this.beta2),
    ]);
    this.gpu.queue.writeBuffer(this.scalars, 0, data);
  }
}
