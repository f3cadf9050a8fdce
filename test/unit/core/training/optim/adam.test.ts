import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../../../../src-main/core/training/optim/adam.js';
import { learningRateAt } from '../../../../../src-main/core/training/optim/schedule.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from '../helpers.js';

function problem(seed: number): {
  variables: Record<string, tf.Variable>;
  loss: () => tf.Scalar;
  target: tf.Tensor;
} {
  const rng = new Rng(seed);
  const target = seededTensor(rng, [3, 4]);
  const variables = {
    w: tf.tidy(() => tf.variable(seededTensor(rng, [3, 4]))),
    b: tf.tidy(() => tf.variable(seededTensor(rng, [4]))),
  };
  const loss = (): tf.Scalar => tf.sum(tf.square(tf.sub(tf.add(variables.w, variables.b), target)));
  return { variables, loss, target };
}

function step(optimizer: Adam, p: ReturnType<typeof problem>): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(p.loss, Object.values(p.variables));
    const named = { w: grads[p.variables.w.name]!, b: grads[p.variables.b.name]! };
    optimizer.applyGradients(p.variables, named);
  });
}

describe('Adam', () => {
  it("matches TF.js's tf.train.adam over several steps (CycleGAN's 2e-4, 0.5)", async () => {
    await useBackend('cpu');
    const ours = problem(1);
    const stock = problem(1);
    const adam = new Adam({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
    const reference = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
    for (let i = 0; i < 5; i++) {
      step(adam, ours);
      reference.minimize(stock.loss, false, Object.values(stock.variables));
    }
    expect(adam.iterations).toBe(5);
    expect(maxAbsDiff(await ours.variables.w.data(), await stock.variables.w.data())).toBeLessThan(1e-7);
    expect(maxAbsDiff(await ours.variables.b.data(), await stock.variables.b.data())).toBeLessThan(1e-7);
    adam.dispose();
    reference.dispose();
    tf.dispose([
      ...Object.values(ours.variables),
      ...Object.values(stock.variables),
      ours.target,
      stock.target,
    ]);
  });

  it('continues identically after saving and loading its state into a new optimiser', async () => {
    await useBackend('wasm');
    const a = problem(2);
    const b = problem(2);
    // Two identical runs; the second optimiser is then replaced by a copy of the first's saved state.
    const first = new Adam({ learningRate: 1e-3, beta1: 0, beta2: 0.99 });
    const twin = new Adam({ learningRate: 1e-3, beta1: 0, beta2: 0.99 });
    for (let i = 0; i < 3; i++) {
      step(first, a);
      step(twin, b);
    }
    twin.dispose();
    const state = await first.saveState();
    expect(Object.keys(state.slots).sort()).toEqual(['b/m', 'b/v', 'w/m', 'w/v']);
    const resumed = new Adam({ learningRate: 1e-3, beta1: 0, beta2: 0.99 });
    resumed.loadState(structuredClone(state));
    expect(resumed.iterations).toBe(3);
    const before = tf.memory().numTensors;
    step(first, a);
    step(resumed, b);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(await a.variables.w.data(), await b.variables.w.data())).toBe(0);
    expect(() => resumed.loadState({ iterations: 1, slots: { 'w/m': state.slots['w/m']! } })).toThrow(
      /lacks its m or v/,
    );
    first.dispose();
    resumed.dispose();
    tf.dispose([...Object.values(a.variables), ...Object.values(b.variables), a.target, b.target]);
  });

  it('takes a new learning rate at the next step (0 freezes the weights)', async () => {
    await useBackend('cpu');
    const p = problem(3);
    const adam = new Adam({ learningRate: 0.1, beta1: 0.5, beta2: 0.999 });
    step(adam, p);
    adam.learningRate = 0;
    const frozen = await p.variables.w.data();
    step(adam, p);
    expect(maxAbsDiff(await p.variables.w.data(), frozen)).toBe(0);
    adam.dispose();
    tf.dispose([...Object.values(p.variables), p.target]);
  });
});

describe('learningRateAt', () => {
  it('is constant for the first half, then decays linearly to 0 at the last step', () => {
    expect(learningRateAt(0, 100, 2e-4)).toBe(2e-4);
    expect(learningRateAt(49, 100, 2e-4)).toBe(2e-4);
    expect(learningRateAt(50, 100, 2e-4)).toBe(2e-4);
    expect(learningRateAt(75, 100, 2e-4)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(99, 100, 2e-4)).toBeCloseTo(2e-4 / 50, 12);
    expect(learningRateAt(100, 100, 2e-4)).toBe(0);
    expect(learningRateAt(150, 100, 2e-4)).toBe(0);
    expect(learningRateAt(0, 1, 1)).toBe(1);
    expect(() => learningRateAt(0, 0, 1)).toThrow(/positive integer number of steps/);
    expect(() => learningRateAt(-1, 10, 1)).toThrow(/non-negative integer step/);
  });
});
