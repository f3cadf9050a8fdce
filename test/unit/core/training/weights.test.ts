import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingError } from '../../../../src-main/core/training/errors.js';
import { createCycleganGenerator } from '../../../../src-main/core/training/models/cyclegan.js';
import { randomInitialValues } from '../../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../../src-main/core/training/models/progan.js';
import { cycleganPreset, proganPreset } from '../../../../src-main/core/training/presets.js';
import {
  assignWeights,
  exportGenerator,
  loadGenerator,
  readWeights,
} from '../../../../src-main/core/training/weights.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from './helpers.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-weights-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<TrainingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainingError);
  return error as TrainingError;
}

describe('weights', () => {
  it('round-trip: read all variables, assign them to a differently initialised model, same outputs', async () => {
    await useBackend('wasm');
    const config = cycleganPreset('tiny').generator;
    const a = createCycleganGenerator(config, randomInitialValues(new Rng(1)), 'a');
    const saved = await readWeights(a.variables);
    a.dispose();
    const b = createCycleganGenerator(config, randomInitialValues(new Rng(2)), 'a');
    const x = seededTensor(new Rng(3), [1, 16, 16, 3]) as tf.Tensor4D;
    const before = await b.apply(x).data();
    assignWeights(b.variables, saved);
    const after = await b.apply(x).data();
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    const again = await readWeights(b.variables);
    for (const name of Object.keys(saved))
      expect(Array.from(again[name]!.data)).toEqual(Array.from(saved[name]!.data));
    x.dispose();
    b.dispose();
  });

  it('refuses mismatched arrays, naming the variable, and assigns nothing', async () => {
    await useBackend('cpu');
    const g = createCycleganGenerator({ ngf: 4, residualBlocks: 1 }, randomInitialValues(new Rng(4)), 'g');
    const saved = await readWeights(g.variables);
    const wrongShape = { ...saved, 'g/up1/kernel': { shape: [3, 3, 4, 8], data: new Float32Array(288) } };
    const e1 = (() => {
      try {
        assignWeights(g.variables, wrongShape, 'ckpt/weights.bin');
      } catch (e) {
        return e as TrainingError;
      }
      throw new Error('no error');
    })();
    expect(e1.code).toBe('WEIGHTS_MISMATCH');
    expect(e1.message).toMatch(
      /'g\/up1\/kernel' has shape \[3, 3, 8, 16\] but the saved weights have \[3, 3, 4, 8\]/,
    );
    expect(e1.file).toBe('ckpt/weights.bin');
    const missing = { ...saved };
    delete missing['g/out/bias'];
    expect(() => assignWeights(g.variables, missing)).toThrow(/No saved weights for variable 'g\/out\/bias'/);
    expect(() => assignWeights(g.variables, { ...saved, extra: saved['g/out/bias']! })).toThrow(
      /'extra' match no variable/,
    );
    const unchanged = await readWeights(g.variables);
    expect(Array.from(unchanged['g/c7s1/kernel']!.data)).toEqual(Array.from(saved['g/c7s1/kernel']!.data));
    g.dispose();
  });

  it('exports a generator as model.json + weights.bin and loads it back with the same outputs', async () => {
    await useBackend('wasm');
    const cycle = createCycleganGenerator(
      { ngf: 4, residualBlocks: 1 },
      randomInitialValues(new Rng(5)),
      'generatorAB',
    );
    await exportGenerator(
      cycle,
      { model: 'cyclegan-generator', config: cycle.config },
      join(folder, 'cyclegan'),
    );
    const json = JSON.parse(await readFile(join(folder, 'cyclegan', 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain(
      'res0/conv1/kernel',
    );
    const loaded = await loadGenerator(join(folder, 'cyclegan'));
    expect(loaded.model).toBe('cyclegan-generator');
    const x = seededTensor(new Rng(6), [1, 16, 16, 3]) as tf.Tensor4D;
    expect(
      maxAbsDiff(await cycle.apply(x).data(), await (loaded.generator as typeof cycle).apply(x).data()),
    ).toBe(0);

    const network = proganPreset('tiny').network;
    const pro = createProganGenerator(network, randomInitialValues(new Rng(7)), 'generatorEma');
    await exportGenerator(pro, { model: 'progan-generator', config: network }, join(folder, 'progan'));
    const loadedPro = await loadGenerator(join(folder, 'progan'), 'sampler');
    expect(loadedPro.model).toBe('progan-generator');
    const z = seededTensor(new Rng(8), [4, network.latentSize]) as tf.Tensor2D;
    const p = loadedPro.generator as typeof pro;
    expect(maxAbsDiff(await pro.apply(z, 16, 1).data(), await p.apply(z, 16, 1).data())).toBe(0);
    tf.dispose([x, z]);
    [cycle, loaded.generator, pro, loadedPro.generator].forEach((m) => m.dispose());
  });

  it('reports bad model files with the file concerned', async () => {
    await useBackend('cpu');
    const bad = join(folder, 'bad');
    expect((await rejection(loadGenerator(bad))).message).toMatch(/Cannot read model.json/);
    const g = createCycleganGenerator({ ngf: 4, residualBlocks: 1 }, randomInitialValues(new Rng(9)), 'g');
    await exportGenerator(g, { model: 'cyclegan-generator', config: g.config }, bad);
    g.dispose();
    const bin = join(bad, 'weights.bin');
    await writeFile(bin, (await readFile(bin)).subarray(0, 100));
    const truncated = await rejection(loadGenerator(bad));
    expect(truncated.code).toBe('BAD_MODEL_FILE');
    expect(truncated.file).toBe(bin);
    expect(truncated.message).toMatch(/has 100 bytes/);
    await writeFile(join(bad, 'model.json'), '{ not json');
    const garbled = await rejection(loadGenerator(bad));
    expect(garbled.message).toMatch(/not valid JSON/);
    expect(garbled.file).toBe(join(bad, 'model.json'));
  });
});
