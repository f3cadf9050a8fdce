import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../src-main/core/config/errors.js';
import type { TrainingConfig } from '../../../../../src-main/core/config/training-config.js';
import { TrainingError } from '../../../../../src-main/core/training/errors.js';
import { readAllJsonl } from '../../../../../src-main/core/training/runs/jsonl.js';
import type { FedPatch } from '../../../../../src-main/core/training/runs/patches.js';
import { metricSeries, readMetrics } from '../../../../../src-main/core/training/runs/metrics.js';
import { readPatchesPage } from '../../../../../src-main/core/training/runs/patches.js';
import { listRuns, readRunConfig } from '../../../../../src-main/core/training/runs/run-config.js';
import { listSamples } from '../../../../../src-main/core/training/runs/samples.js';
import { startTraining } from '../../../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, readMetricsFile, slideDeps, tinyConfig, workspace } from './fixtures.js';

const ws = workspace({
  ...STAIN_DOMAINS,
  bad: ['bad/unreadable.svs', 'bad/unopenable.tiff'],
  nompp: ['tcga-cr-7395-ts1.svs'],
});
afterAll(() => ws.done());

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('trainer on real slides (tiny preset, cpu)', () => {
  it('30 CycleGAN steps fed by the sampler lower the cycle loss, with a constant tensor count', async () => {
    const runDir = join(ws.root, 'cyclegan-30');
    const config = tinyConfig(ws, { model: 'cyclegan', steps: 30, checkpointEvery: 30, sampleEvery: 15 });
    const job = startTraining({ config, runDir }, slideDeps(ws.cacheDir));
    const result = await job.done;
    expect(result).toMatchObject({ reason: 'completed', step: 30 });
    const metrics = await readMetricsFile(runDir);
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const cycle = metrics.map((m) => m.losses['cycleA']! + m.losses['cycleB']!);
    expect(mean(cycle.slice(-5)), cycle.map((c) => c.toFixed(2)).join(' ')).toBeLessThan(
      mean(cycle.slice(0, 5)),
    );
    // Every tensor is freed each step: only the image pools grow (one image per domain per step until 50).
    const owned = metrics.map((m) => m.memory.tfTensors - m.pooledImages);
    expect(new Set(owned).size, owned.join(' ')).toBe(1);
    expect(metrics[29]!.pooledImages).toBe(60);
    // The patches fed: 30 steps x (A + B), each with its provenance, from the right slides.
    const patches = await readAllJsonl<FedPatch>(join(runDir, 'patches.jsonl'));
    expect(patches).toHaveLength(60);
    expect(new Set(patches.filter((p) => p.domain === 'A').map((p) => p.slidePath))).toEqual(
      new Set([join(ws.folder('A'), 'cmu-1-small-region.svs')]),
    );
    expect(patches[0]).toMatchObject({ step: 1, patchSize: 24, downsample: 4 });
    expect((await readdir(join(runDir, 'samples'))).sort()).toEqual(['15.png', '30.png']);

    // What the UI reads: the run in a list, a metrics series, a page of patches, the samples.
    const { runs, problems } = await listRuns(ws.root);
    expect(problems).toEqual([]);
    expect(runs.find((r) => r.dir === runDir)).toMatchObject({
      model: 'cyclegan',
      preset: 'tiny',
      domains: ['A', 'B'],
      steps: 30,
      checkpointStep: 30,
      backend: 'cpu',
      latestSample: join(runDir, 'samples/30.png'),
      last: { step: 30 },
    });
    const every10 = await readMetrics(runDir, { every: 10 });
    expect(metricSeries(every10, 'losses.cycleA').map((p) => p.step)).toEqual([10, 20, 30]);
    expect(metricSeries(every10, 'memory.tfTensors')[0]!.value).toBe(metrics[9]!.memory.tfTensors);
    const page = await readPatchesPage(runDir, { domain: 'B', offset: 10, limit: 15 });
    expect(page.patches.map((p) => p.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
    expect(page.nextOffset).toBe(25);
    expect((await readPatchesPage(runDir, { domain: 'B', offset: 25, limit: 15 })).nextOffset).toBeNull();
    expect((await listSamples(runDir)).map((s) => s.step)).toEqual([15, 30]);
  });

  it('ProGAN grows 4 -> 8 px with a sampler reconfigured for each resolution; the gradient penalty is finite and positive', async () => {
    const runDir = join(ws.root, 'progan');
    const config = tinyConfig(ws, { model: 'progan', steps: 20, checkpointEvery: 20 });
    const result = await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done;
    expect(result.step).toBe(20);
    const metrics = await readMetricsFile(runDir);
    for (const m of metrics) {
      expect(Number.isFinite(m.losses['gradientPenalty']), `step ${m.step}`).toBe(true);
      expect(m.losses['gradientPenalty'], `step ${m.step}`).toBeGreaterThan(0);
    }
    // tiny: 64 images (16 steps of 4) at 4 px, then 8 px fading in.
    expect(metrics[15]!.progan).toMatchObject({ resolution: 4, alpha: 1, imagesSeen: 64 });
    expect(metrics[16]!.progan).toMatchObject({ resolution: 8, fading: true, alpha: 0 });
    expect(metrics[19]!.progan!.alpha).toBeCloseTo(3 / 16, 6);
    // The same field of view at every resolution: 4 px patches at downsample 16, 8 px at downsample 8.
    const patches = await readAllJsonl<FedPatch>(join(runDir, 'patches.jsonl'));
    expect(new Set(patches.filter((p) => p.step <= 16).map((p) => `${p.patchSize}@${p.downsample}`))).toEqual(
      new Set(['4@16']),
    );
    expect(new Set(patches.filter((p) => p.step > 16).map((p) => `${p.patchSize}@${p.downsample}`))).toEqual(
      new Set(['8@8']),
    );
    const exported = JSON.parse(await readFile(join(runDir, 'export/generatorEma/training.json'), 'utf8'));
    expect(exported).toMatchObject({ resolution: 8, step: 20, imagesSeen: 80 });
  });

  it('stops gracefully: finishes the step, writes a checkpoint and the export, resolves', async () => {
    const runDir = join(ws.root, 'stop');
    const config = tinyConfig(ws, { model: 'cyclegan', steps: 1000, checkpointEvery: 1000 });
    const job = startTraining({ config, runDir }, slideDeps(ws.cacheDir));
    job.on('step', (m) => {
      if (m.step === 3) void job.stop();
    });
    const result = await job.done;
    expect(result.reason).toBe('stopped');
    expect(result.step).toBeGreaterThanOrEqual(3);
    expect(result.step).toBeLessThanOrEqual(5);
    expect(result.checkpoint).toBe(join(runDir, 'checkpoints', String(result.step)));
    expect((await readFile(join(runDir, 'checkpoints/latest'), 'utf8')).trim()).toBe(String(result.step));
    expect((await readMetricsFile(runDir)).at(-1)!.step).toBe(result.step);
    expect(existsSync(join(runDir, 'export/generatorAB/model.json'))).toBe(true);
    expect((await readRunConfig(runDir)).backend.chosen).toBe('cpu');
  });

  it('rejects bad input with a clear error before any training starts', async () => {
    const attempt = async (config: TrainingConfig, name: string): Promise<unknown> => {
      const runDir = join(ws.root, name);
      const job = startTraining({ config, runDir }, slideDeps(ws.cacheDir));
      let started = false;
      job.on('backend', () => (started = true));
      const error = await job.done.then(
        () => null,
        (e: unknown) => e,
      );
      expect(started, 'a training worker was started').toBe(false);
      expect(existsSync(runDir), `${runDir} was left behind`).toBe(false);
      return error;
    };
    const good = tinyConfig(ws, { model: 'cyclegan' });
    const noUsable = await attempt(
      {
        ...good,
        domains: [good.domains[0]!, { name: 'B', folders: [ws.folder('bad')], detector: 'otsu-red' }],
      },
      'no-usable',
    );
    expect(noUsable).toBeInstanceOf(TrainingError);
    expect(noUsable).toMatchObject({ code: 'NO_USABLE_SLIDE' });
    expect((noUsable as Error).message).toMatch(/Domain 'B' has no usable slide:\n.*unreadable\.svs/);
    const noMpp = await attempt(
      tinyConfig(ws, { model: 'progan', mpp: 2, domains: [{ name: 'X', folders: [ws.folder('nompp')] }] }),
      'no-mpp',
    );
    expect((noMpp as Error).message).toMatch(
      /Domain 'X' has no usable slide:\n.*tcga-cr-7395-ts1\.svs: has no mpp metadata/,
    );
    const cases: [Partial<TrainingConfig> | Record<string, unknown>, RegExp][] = [
      [{ steps: 0 }, /positive integer for steps but received 0/],
      [{ backend: 'cuda' }, /Unknown backend 'cuda'/],
      [
        {
          sampling: { ...good.sampling, sizePx: 30 },
          cyclegan: { ...(good as { cyclegan: object }).cyclegan, sizePx: 30 },
        },
        /sizePx 30 is not allowed for cyclegan/,
      ],
    ];
    for (const [change, message] of cases) {
      const error = await attempt({ ...good, ...change } as TrainingConfig, 'bad-config');
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
