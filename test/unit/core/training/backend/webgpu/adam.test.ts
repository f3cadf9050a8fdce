import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { WebgpuFusedAdam } from '../../../../../../src-main/core/training/backend/webgpu/adam.js';
import { instrumentWebgpu } from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import { Adam } from '../../../../../../src-main/core/training/optim/adam.js';
import type { Optimizer } from '../../../../../../src-main/core/training/optim/optimizer.js';
import { maxAbsDiff, normals, skipNote, webgpuForTests, WEBGPU_TEST_TIMEOUT } from './webgpu-test-backend.js';

const gpu = await webgpuForTests();

const SHAPES: Record<string, number[]> = { conv: [3, 3, 4, 5], bias: [7], dense: [301, 3] };
const STEPS = 5;
const CONFIG = { learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };

function makeVariables(prefix: string): Record<string, tf.Variable> {
  const vars: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const init = tf.tensor(normals(tf.util.sizeFromShape(shape), `w-${name}`), shape);
    vars[name] = tf.variable(init, true, `${prefix}/${name}`);
    init.dispose();
  }
  return vars;
}

function gradientsAt(step: number): Record<string, tf.Tensor> {
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    grads[name] = tf.tensor(normals(tf.util.sizeFromShape(shape), `g-${name}-${step}`, step + 1), shape);
  }
  return grads;
}

/** STEPS steps of an optimiser from `first` on (gradients are consumed by applyGradients). */
function steps(opt: Optimizer, vars: Record<string, tf.Variable>, first: number, last: number): void {
  for (let s = first; s < last; s++) opt.applyGradients(vars, gradientsAt(s));
}

async function values(vars: Record<string, tf.Variable>): Promise<Float32Array[]> {
  return Promise.all(Object.values(vars).map(async (v) => (await v.data()) as Float32Array));
}

describe.skipIf(!gpu.ok)(`fused WebGPU Adam${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  const backend = () => tf.backend() as WebGPUBackend;

  it('matches the op-level Adam on the cpu backend after several steps', async () => {
    await tf.setBackend('cpu');
    const cpuVars = makeVariables('cpu');
    const stock = new Adam(CONFIG);
    steps(stock, cpuVars, 0, STEPS);
    const expected = await values(cpuVars);
    stock.dispose();
    tf.dispose(Object.values(cpuVars));
    await tf.setBackend('webgpu');

    const vars = makeVariables('gpu');
    const fused = new WebgpuFusedAdam(backend(), CONFIG);
    steps(fused, vars, 0, STEPS);
    const got = await values(vars);
    expected.forEach((e, i) => expect(maxAbsDiff(e, got[i]!)).toBeLessThan(1e-6));
    expect(fused.iterations).toBe(STEPS);
    fused.dispose();
    tf.dispose(Object.values(vars));
  });

  it('issues one dispatch per variable and one submit per step, with no uploads', () => {
    const vars = makeVariables('census');
    const fused = new WebgpuFusedAdam(backend(), CONFIG);
    fused.applyGradients(vars, gradientsAt(0)); // first step creates the moments
    // Gradients computed on the GPU, as in training (small ops would otherwise run on the CPU).
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const grads = tf.tidy(() => {
      const g = gradientsAt(1);
      const onGpu: Record<string, tf.Tensor> = {};
      for (const [name, t] of Object.entries(g)) onGpu[name] = tf.neg(tf.neg(t));
      return onGpu;
    });
    tf.env().set('WEBGPU_CPU_FORWARD', true);
    const census = instrumentWebgpu(backend());
    try {
      fused.applyGradients(vars, grads);
      const c = census.read();
      expect(c.dispatches).toBe(Object.keys(SHAPES).length);
      expect(c.programs).toBe(0);
      expect(c.submits).toBe(1);
      expect(c.uploads).toBe(0);
    } finally {
      census.restore();
      fused.dispose();
      tf.dispose(Object.values(vars));
    }
  });

  it('saves state as <name>/m, <name>/v and iterations, and a restored optimiser continues identically', async () => {
    const varsA = makeVariables('a');
    const varsB = makeVariables('b');
    const a = new WebgpuFusedAdam(backend(), CONFIG);
    for (let s = 0; s < 3; s++) a.applyGradients(varsA, gradientsAt(s));
    const state = await a.saveState();
    expect(state.iterations).toBe(3);
    expect(Object.keys(state.slots).sort()).toEqual(
      ['bias/m', 'bias/v', 'conv/m', 'conv/v', 'dense/m', 'dense/v'].sort(),
    );
    expect(state.slots['conv/m']!.shape).toEqual(SHAPES.conv);

    // Bring B's weights to A's, restore A's state into a fresh optimiser, step both.
    for (const name of Object.keys(SHAPES)) varsB[name]!.assign(varsA[name]!);
    const b = new WebgpuFusedAdam(backend(), CONFIG);
    b.loadState(structuredClone(state));
    for (let s = 3; s < 5; s++) {
      a.applyGradients(varsA, gradientsAt(s));
      b.applyGradients(varsB, gradientsAt(s));
    }
    const [va, vb] = [await values(varsA), await values(varsB)];
    va.forEach((v, i) => expect(maxAbsDiff(v, vb[i]!)).toBe(0));
    a.dispose();
    b.dispose();
    tf.dispose([...Object.values(varsA), ...Object.values(varsB)]);
  });

  it('moves state both ways with the op-level Adam (checkpoints move between backends)', async () => {
    const stockVars = makeVariables('stock');
    const fusedVars = makeVariables('fused');
    const stock = new Adam(CONFIG);
    steps(stock, stockVars, 0, 3);
    // op-level -> fused: the same weights and state, then the same steps on both.
    for (const name of Object.keys(SHAPES)) fusedVars[name]!.assign(stockVars[name]!);
    const fused = new WebgpuFusedAdam(backend(), CONFIG);
    fused.loadState(await stock.saveState());
    steps(stock, stockVars, 3, 5);
    steps(fused, fusedVars, 3, 5);
    let [vs, vf] = [await values(stockVars), await values(fusedVars)];
    vs.forEach((v, i) => expect(maxAbsDiff(v, vf[i]!)).toBeLessThan(1e-6));
    // fused -> op-level.
    const back = new Adam(CONFIG);
    back.loadState(await fused.saveState());
    for (const name of Object.keys(SHAPES)) stockVars[name]!.assign(fusedVars[name]!);
    steps(back, stockVars, 5, 7);
    steps(fused, fusedVars, 5, 7);
    [vs, vf] = [await values(stockVars), await values(fusedVars)];
    vs.forEach((v, i) => expect(maxAbsDiff(v, vf[i]!)).toBeLessThan(1e-6));
    expect(back.iterations).toBe(7);
    [stock, fused, back].forEach((o) => o.dispose());
    tf.dispose([...Object.values(stockVars), ...Object.values(fusedVars)]);
  });

  it('leaves a tensor that shares the variable buffer untouched, and reads back fresh values', async () => {
    const init = tf.tensor1d([1, 2, 3, 4]);
    const v = tf.variable(init, true, 'shared');
    const fused = new WebgpuFusedAdam(backend(), { learningRate: 0.1, beta1: 0.9, beta2: 0.999 });
    expect(Array.from(await v.data())).toEqual([1, 2, 3, 4]); // caches the values on the CPU
    fused.applyGradients({ v }, { v: tf.tensor1d([1, 1, 1, 1]) });
    expect(Array.from(await init.data())).toEqual([1, 2, 3, 4]);
    const after = await v.data();
    expect(maxAbsDiff(after, [0.9, 1.9, 2.9, 3.9])).toBeLessThan(1e-5);
    fused.learningRate = 0.01; // takes effect on the next step
    fused.applyGradients({ v }, { v: tf.tensor1d([1, 1, 1, 1]) });
    expect(maxAbsDiff(await v.data(), [0.89, 1.89, 2.89, 3.89])).toBeLessThan(1e-5);
    fused.dispose();
    tf.dispose([init, v]);
  });

  it('consumes its gradients and keeps only the moments', () => {
    const vars = makeVariables('leak');
    const fused = new WebgpuFusedAdam(backend(), CONFIG);
    const before = tf.memory().numTensors;
    fused.applyGradients(vars, gradientsAt(0));
    expect(tf.memory().numTensors).toBe(before + 2 * Object.keys(SHAPES).length);
    fused.applyGradients(vars, gradientsAt(1));
    expect(tf.memory().numTensors).toBe(before + 2 * Object.keys(SHAPES).length);
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(vars));
  });

  it('rejects a gradient whose shape differs from its variable', () => {
    const vars = makeVariables('bad');
    const fused = new WebgpuFusedAdam(backend(), CONFIG);
    expect(() => fused.applyGradients(vars, { bias: tf.zeros([6]) })).toThrow(/shape \[6\].*\[7\]/);
    fused.dispose();
    tf.dispose(Object.values(vars));
  });
});
