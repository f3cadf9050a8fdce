import * as tf from '@tensorflow/tfjs';
import type { NamedArrays, Optimizer } from './optimizer.js';

export interface AdamOptions {
  readonly learningRate: number;
  /** First-moment decay (0.5 for CycleGAN, 0 for ProGAN). */
  readonly beta1: number;
  /** Second-moment decay (0.999 for CycleGAN, 0.99 for ProGAN). */
  readonly beta2: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
}

interface Slots {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
}

/**
 * Adam over TF.js ops, PyTorch's formulation:
 * m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
 * w <- w - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Moments are created on first use per variable name; the learning rate can change between steps.
 */
export class Adam implements Optimizer {
  learningRate: number;
  private step = 0;
  private readonly slots = new Map<string, Slots>();
  private readonly constants: Record<
    'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon',
    tf.Scalar
  >;

  constructor(readonly options: Readonly<AdamOptions>) {
    const { learningRate, beta1, beta2 } = options;
    const epsilon = options.epsilon ?? 1e-8;
    if (!(learningRate >= 0)) throw new RangeError(`Adam: learning rate must be >= 0, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`Adam: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`Adam: beta2 must be in [0, 1), got ${beta2}`);
    this.learningRate = learningRate;
    // Kept as tensors: a JS number in an op is a new upload per call on WebGPU.
    this.constants = tf.tidy(() => ({
      beta1: tf.keep(tf.scalar(beta1)),
      oneMinusBeta1: tf.keep(tf.scalar(1 - beta1)),
      beta2: tf.keep(tf.scalar(beta2)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - beta2)),
      epsilon: tf.keep(tf.scalar(epsilon)),
    }));
  }

  get iterations(): number {
    return this.step;
  }

  applyGradients(
    variables: Readonly<Record<string, tf.Variable>>,
    gradients: Record<string, tf.Tensor>,
  ): void {
    try {
      const missing = Object.keys(gradients).find((name) => !variables[name]);
      if (missing) throw new Error(`Adam: gradient for unknown variable '${missing}'`);
      this.step++;
      const { beta1, beta2 } = this.options;
      const c = this.constants;
      tf.tidy(() => {
        const stepSize = tf.scalar(this.learningRate / (1 - beta1 ** this.step));
        const invSqrtCorrection2 = tf.scalar(1 / Math.sqrt(1 - beta2 ** this.step));
        for (const [name, g] of Object.entries(gradients)) {
          const w = variables[name]!;
          const { m, v } = this.slotsFor(name, w);
          const m1 = tf.add(tf.mul(c.beta1, m), tf.mul(c.oneMinusBeta1, g));
          const v1 = tf.add(tf.mul(c.beta2, v), tf.mul(c.oneMinusBeta2, tf.square(g)));
          m.assign(m1);
          v.assign(v1);
          const denominator = tf.add(tf.mul(tf.sqrt(v1), invSqrtCorrection2), c.epsilon);
          w.assign(tf.sub(w, tf.mul(stepSize, tf.div(m1, denominator))));
        }
      });
    } finally {
      for (const g of Object.values(gradients)) g.dispose();
    }
  }

  private slotsFor(name: string, w: tf.Variable): Slots {
    let s = this.slots.get(name);
    if (!s) {
      s = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(w), false), v: tf.variable(tf.zerosLike(w), false) }));
      this.slots.set(name, s);
    }
    return s;
  }

  async saveState(): Promise<{ iterations: number; slots: NamedArrays }> {
    const slots: NamedArrays = {};
    for (const [name, { m, v }] of this.slots) {
      slots[`${name}/m`] = { shape: m.shape.slice(), data: (await m.data()) as Float32Array };
      slots[`${name}/v`] = { shape: v.shape.slice(), data: (await v.data()) as Float32Array };
    }
    return { iterations: this.step, slots };
  }

  loadState(state: { iterations: number; slots: NamedArrays }): void {
    const names = new Set<string>();
    for (const key of Object.keys(state.slots)) {
      const match = /^(.*)\/([mv])$/.exec(key);
      if (!match) throw new Error(`Adam state: unexpected slot '${key}'`);
      names.add(match[1]!);
    }
    const loaded = new Map<string, Slots>();
    try {
      for (const name of names) {
        const m = state.slots[`${name}/m`];
        const v = state.slots[`${name}/v`];
        if (!m || !v) throw new Error(`Adam state: '${name}' lacks its m or v slot`);
        if (m.shape.join() !== v.shape.join())
          throw new Error(`Adam state: m and v of '${name}' differ in shape`);
        loaded.set(
          name,
          tf.tidy(() => ({
            m: tf.variable(tf.tensor(m.data, m.shape), false),
            v: tf.variable(tf.tensor(v.data, v.shape), false),
          })),
        );
      }
    } catch (error) {
      disposeSlots(loaded);
      throw error;
    }
    disposeSlots(this.slots);
    for (const [name, s] of loaded) this.slots.set(name, s);
    this.step = state.iterations;
  }

  dispose(): void {
    disposeSlots(this.slots);
    for (const c of Object.values(this.constants)) c.dispose();
  }
}

function disposeSlots(slots: Map<string, Slots>): void {
  for (const { m, v } of slots.values()) {
    m.dispose();
    v.dispose();
  }
  slots.clear();
}
