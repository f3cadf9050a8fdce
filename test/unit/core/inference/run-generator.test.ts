import * as tf from '@tensorflow/tfjs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError } from '../../../../src-main/core/inference/errors.js';
import {
  loadCycleganGenerator,
  loadProganGenerator,
  readProganExportState,
} from '../../../../src-main/core/inference/generator-folder.js';
import {
  loadRunCycleganGenerator,
  loadRunProganGenerator,
} from '../../../../src-main/core/inference/run-generator.js';
import type { InitialValues } from '../../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../../src-main/core/training/models/progan.js';
import { readLatestCheckpoint } from '../../../../src-main/core/training/runs/checkpoints.js';
import { unpackArrays } from '../../../../src-main/core/training/runs/packed-arrays.js';
import { startTraining } from '../../../../src-main/core/training/trainer/trainer.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from '../training/helpers.js';
import { STAIN_DOMAINS, slideDeps, tinyConfig, workspace } from '../training/trainer/fixtures.js';

const ws = workspace(STAIN_DOMAINS);
const cycleRun = join(ws.root, 'cyclegan');
const proganRun = join(ws.root, 'progan');

beforeAll(async () => {
  // Real runs: the trainer on the test slides, a few tiny steps each.
  const cyclegan = tinyConfig(ws, { model: 'cyclegan', steps: 4, checkpointEvery: 4 });
  // 24 steps of 4 images: 4 px stable (64 images), then halfway through the fade-in of 8 px.
  const progan = tinyConfig(ws, { model: 'progan', steps: 24, checkpointEvery: 24 });
  for (const [config, runDir] of [
    [cyclegan, cycleRun],
    [progan, proganRun],
  ] as const) {
    const result = await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done;
    expect(result.reason).toBe('completed');
  }
  await useBackend('cpu');
});
afterAll(() => ws.done());

async function output(apply: (x: tf.Tensor4D) => tf.Tensor4D, seed: number): Promise<Float32Array> {
  const x = seededTensor(new Rng(seed), [1, 24, 24, 3]) as tf.Tensor4D;
  const y = apply(x);
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return data;
}

describe('generators of a training run', () => {
  it("loads a CycleGAN run's generators from its latest checkpoint, with its domains and scale", async () => {
    const ab = await loadRunCycleganGenerator(cycleRun, 'AtoB', 'gAB');
    const ba = await loadRunCycleganGenerator(cycleRun, 'BtoA', 'gBA');
    expect([ab.from, ab.to, ba.from, ba.to]).toEqual(['A', 'B', 'B', 'A']);
    expect(ab.step).toBe(4);
    expect(ab.scale).toEqual({ kind: 'downsample', downsample: 4 });
    expect(ab.sizePx).toBe(24);
    // The final checkpoint holds the weights the run exported at its end.
    const exported = await loadCycleganGenerator(join(cycleRun, 'export', 'generatorAB'), 'exported');
    const fromRun = await output((x) => ab.generator.apply(x), 1);
    expect(maxAbsDiff(fromRun, await output((x) => exported.apply(x), 1))).toBe(0);
    expect(maxAbsDiff(fromRun, await output((x) => ba.generator.apply(x), 1))).toBeGreaterThan(1e-3);
    expect(ab.digest).not.toBe(ba.digest);
    [ab.generator, ba.generator, exported].forEach((g) => g.dispose());
  });

  it("loads a ProGAN run's EMA generator where growing stood, as its export says", async () => {
    const run = await loadRunProganGenerator(proganRun, 'ema');
    const state = await readProganExportState(join(proganRun, 'export', 'generatorEma'));
    expect({ resolution: run.resolution, alpha: run.alpha }).toEqual(state);
    expect(state).toEqual({ resolution: 8, alpha: 0.5 });
    // The field of view at that resolution: the tiny preset's 64 level-0 px per patch side.
    expect(run.scale).toEqual({ kind: 'downsample', downsample: 64 / run.resolution });
    const exported = await loadProganGenerator(join(proganRun, 'export', 'generatorEma'), 'exported');
    const z = seededTensor(new Rng(2), [4, run.generator.config.latentSize]) as tf.Tensor2D;
    const a = run.generator.apply(z, run.resolution, run.alpha);
    const b = exported.apply(z, run.resolution, run.alpha);
    expect(maxAbsDiff(await a.data(), await b.data())).toBe(0);
    tf.dispose([z, a, b]);
    run.generator.dispose();
    exported.dispose();
  });

  it("generates with the checkpoint's EMA generator, not the generator it trained", async () => {
    const run = await loadRunProganGenerator(proganRun, 'ema');
    const arrays = unpackArrays((await readLatestCheckpoint(proganRun)).arrays);
    // The checkpoint's weights saved as `weights/<model>/<name>`, for a generator built under `scope`.
    const saved =
      (model: string, scope: string): InitialValues =>
      (spec) =>
        arrays[`weights/${model}/${spec.name.slice(scope.length + 1)}`]!.data;
    const network = run.generator.config;
    const ema = createProganGenerator(network, saved('generatorEma', 'fromEma'), 'fromEma');
    const raw = createProganGenerator(network, saved('generator', 'fromRaw'), 'fromRaw');
    const z = seededTensor(new Rng(3), [4, network.latentSize]) as tf.Tensor2D;
    const [fromRun, fromEma, fromRaw] = [run.generator, ema, raw].map((g) =>
      g.apply(z, run.resolution, run.alpha),
    ) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const images = await Promise.all([fromRun.data(), fromEma.data(), fromRaw.data()]);
    expect(maxAbsDiff(images[0], images[1])).toBe(0);
    // 24 steps of Adam moved the trained generator away from its average (EMA 0.999 barely follows).
    expect(maxAbsDiff(images[0], images[2])).toBeGreaterThan(1e-2);
    tf.dispose([z, fromRun, fromEma, fromRaw]);
    [run.generator, ema, raw].forEach((g) => g.dispose());
  });

  it('falls back to the export of a run without checkpoints, and refuses the wrong kind of run', async () => {
    await rm(join(cycleRun, 'checkpoints'), { recursive: true });
    const ab = await loadRunCycleganGenerator(cycleRun, 'AtoB');
    expect(ab.step).toBeNull();
    expect(ab.folder).toBe(join(cycleRun, 'export', 'generatorAB'));
    ab.generator.dispose();
    const wrong = await loadRunCycleganGenerator(proganRun, 'AtoB').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(InferenceError);
    expect((wrong as Error).message).toMatch(/This is a progan run; translation needs a CycleGAN run/);
    await expect(loadRunProganGenerator(join(ws.root, 'nothing'))).rejects.toThrow(/Not a run folder/);
  });
});
