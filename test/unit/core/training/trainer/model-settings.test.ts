import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../../../src-main/core/training/runs/checkpoints.js';
import type { NamedArrays } from '../../../../../src-main/core/training/optim/optimizer.js';
import { unpackArrays } from '../../../../../src-main/core/training/runs/packed-arrays.js';
import { startTraining } from '../../../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, readMetricsFile, slideDeps, tinyConfig, workspace } from './fixtures.js';

const ws = workspace(STAIN_DOMAINS);
afterAll(() => ws.done());

async function weightsAt(runDir: string, step: number): Promise<NamedArrays> {
  return unpackArrays((await readCheckpoint(join(runDir, 'checkpoints', String(step)))).arrays);
}

/** Largest difference between the tensors whose names start with `prefix`. */
function largestChange(a: NamedArrays, b: NamedArrays, prefix: string): number {
  let max = 0;
  for (const [name, x] of Object.entries(a)) {
    if (!name.startsWith(prefix)) continue;
    const y = b[name]!;
    for (let i = 0; i < x.data.length; i++) max = Math.max(max, Math.abs(x.data[i]! - y.data[i]!));
  }
  return max;
}

describe('model settings reach the training step (tiny preset, cpu, real slides)', () => {
  it('CycleGAN with identityWeight 0: the identity losses are 0, the rest is unchanged, the generators train', async () => {
    const off = join(ws.root, 'identity-off');
    const on = join(ws.root, 'identity-on');
    const common = { model: 'cyclegan', steps: 2, checkpointEvery: 1, keepCheckpoints: 2 } as const;
    await startTraining(
      { config: tinyConfig(ws, { ...common, identityWeight: 0 }), runDir: off },
      slideDeps(ws.cacheDir),
    ).done;
    await startTraining(
      { config: tinyConfig(ws, { ...common, steps: 1 }), runDir: on },
      slideDeps(ws.cacheDir),
    ).done;
    const [withoutIdentity, withIdentity] = [await readMetricsFile(off), await readMetricsFile(on)];
    for (const { losses } of withoutIdentity) {
      expect(losses).toMatchObject({ identityAB: 0, identityBA: 0 });
      const { adversarialAB, adversarialBA, cycleA, cycleB } = losses as Record<string, number>;
      expect(losses['generatorTotal']).toBeCloseTo(adversarialAB! + adversarialBA! + cycleA! + cycleB!, 4);
    }
    // The default (0.5 x cycle) adds identity terms on the same weights and patches, and nothing else.
    const first = withIdentity[0]!.losses;
    expect(first['identityAB']).toBeGreaterThan(0);
    expect(first['identityBA']).toBeGreaterThan(0);
    for (const name of ['adversarialAB', 'adversarialBA', 'cycleA', 'cycleB', 'discriminatorA']) {
      expect(Math.abs(first[name]! - withoutIdentity[0]!.losses[name]!), name).toBeLessThan(1e-5);
    }
    const [step1, step2] = [await weightsAt(off, 1), await weightsAt(off, 2)];
    expect(largestChange(step1, step2, 'weights/generatorAB/')).toBeGreaterThan(1e-6);
    expect(largestChange(step1, step2, 'weights/generatorBA/')).toBeGreaterThan(1e-6);
  });

  it('generators and discriminators train at their own learning rates', async () => {
    const runDir = join(ws.root, 'two-rates');
    const config = tinyConfig(ws, {
      model: 'cyclegan',
      steps: 2,
      checkpointEvery: 1,
      keepCheckpoints: 2,
      generatorLearningRate: 1e-3,
      discriminatorLearningRate: 1e-6,
    });
    await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done;
    const metrics = await readMetricsFile(runDir);
    expect(metrics.map((m) => [m.learningRate, m.discriminatorLearningRate])).toEqual([
      [1e-3, 1e-6],
      [1e-3, 1e-6],
    ]);
    // An Adam step moves a weight by about the learning rate at most (|m / sqrt(v)| <~ 1 early on).
    const [step1, step2] = [await weightsAt(runDir, 1), await weightsAt(runDir, 2)];
    expect(largestChange(step1, step2, 'weights/generatorAB/')).toBeGreaterThan(2e-4);
    const discriminator = largestChange(step1, step2, 'weights/discriminatorA/');
    expect(discriminator).toBeGreaterThan(0);
    expect(discriminator).toBeLessThan(1e-5);

    const progan = join(ws.root, 'two-rates-progan');
    const proganConfig = tinyConfig(ws, {
      model: 'progan',
      steps: 1,
      learningRate: 2e-3,
      discriminatorLearningRate: 5e-4,
    });
    await startTraining({ config: proganConfig, runDir: progan }, slideDeps(ws.cacheDir)).done;
    const [first] = await readMetricsFile(progan);
    expect([first!.learningRate, first!.discriminatorLearningRate]).toEqual([2e-3, 5e-4]);
  });
});
