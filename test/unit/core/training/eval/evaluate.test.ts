import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { cycleReconstructionError } from '../../../../../src-main/core/training/eval/cycle-error.js';
import {
  evaluateCyclegan,
  generatePatches,
  isEvaluationStep,
  ProganEvaluator,
  seededLatents,
} from '../../../../../src-main/core/training/eval/evaluate.js';
import { createCycleganGenerator } from '../../../../../src-main/core/training/models/cyclegan.js';
import { randomInitialValues } from '../../../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../../../src-main/core/training/models/progan.js';
import { cycleganPreset, proganPreset } from '../../../../../src-main/core/training/presets.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { domainPatches } from '../../inference/tiny-cyclegan.js';
import { useBackend } from '../helpers.js';

const FAST_SWD = { neighbourhoodsPerImage: 32, directionRepeats: 1, directionsPerRepeat: 32 } as const;

/** A network that shifts every value by `offset` (a closed form for the cycle error). */
const shift = (offset: number) => ({ apply: (x: tf.Tensor4D) => tf.add(x, offset) as tf.Tensor4D });

describe('evaluation', () => {
  it('cycle-reconstruction error: zero for identities, the shift for shifting networks', async () => {
    await useBackend('cpu');
    const { a } = await domainPatches(24);
    const patches = a.slice(0, 10);
    expect(await cycleReconstructionError(shift(0), shift(0), patches, 4)).toBe(0);
    expect(await cycleReconstructionError(shift(0.1), shift(-0.3), patches, 3)).toBeCloseTo(0.2, 5);
    await expect(cycleReconstructionError(shift(0), shift(0), [])).rejects.toThrow(
      /at least one held-out patch/,
    );
  });

  it('CycleGAN evaluation gives cycle errors and SWDs per direction without leaking tensors', async () => {
    await useBackend('wasm');
    const { a, b } = await domainPatches(24);
    const config = cycleganPreset('tiny').generator;
    const rng = new Rng(5);
    const gAB = createCycleganGenerator(config, randomInitialValues(rng), 'generatorAB');
    const gBA = createCycleganGenerator(config, randomInitialValues(rng), 'generatorBA');
    const input = {
      generatorAB: gAB,
      generatorBA: gBA,
      heldOutA: a.slice(0, 16),
      heldOutB: b.slice(0, 16),
      swd: FAST_SWD,
    };
    await evaluateCyclegan(input); // first call creates the generators' cached constants
    const before = tf.memory().numTensors;
    const metrics = await evaluateCyclegan(input);
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(metrics).sort()).toEqual([
      'eval/cycleErrorA',
      'eval/cycleErrorB',
      'eval/swdAB',
      'eval/swdAB@24',
      'eval/swdBA',
      'eval/swdBA@24',
    ]);
    for (const v of Object.values(metrics)) expect(Number.isFinite(v) && v > 0).toBe(true);
    gAB.dispose();
    gBA.dispose();
  });

  it('ProGAN evaluator: seeded, real descriptors computed once per resolution', async () => {
    await useBackend('wasm');
    const { a } = await domainPatches(16);
    const network = proganPreset('tiny').network;
    const generator = createProganGenerator(network, randomInitialValues(new Rng(3)), 'generatorEma');
    const asked: number[] = [];
    const evaluator = new ProganEvaluator({
      realPatches: async (resolution): Promise<PatchImage[]> => {
        asked.push(resolution);
        return a.slice(0, 32);
      },
      count: 32,
      swd: FAST_SWD,
    });
    const first = await evaluator.evaluate(generator, 16);
    const second = await evaluator.evaluate(generator, 16);
    expect(second).toEqual(first);
    expect(asked).toEqual([16]);
    expect(Object.keys(first).sort()).toEqual(['eval/swd', 'eval/swd@16']);
    // The untrained generator is far from real tissue.
    expect(first['eval/swd']).toBeGreaterThan(10);
    // Same seed, same images.
    const latents = seededLatents(4, network.latentSize, 9);
    const x = await generatePatches(generator, latents, 8);
    const y = await generatePatches(generator, seededLatents(4, network.latentSize, 9), 8, 1, 3);
    expect(x.map((p) => [p.width, p.height])).toEqual(Array(4).fill([8, 8]));
    expect(y.map((p) => Array.from(p.data))).toEqual(x.map((p) => Array.from(p.data)));
    generator.dispose();
  });

  it('evaluates every N steps', () => {
    expect([1, 2, 3, 4, 5, 6].filter((s) => isEvaluationStep(s, 3))).toEqual([3, 6]);
    expect(isEvaluationStep(10, 0)).toBe(false);
  });
});
