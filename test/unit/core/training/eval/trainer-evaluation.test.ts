import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../src-main/core/config/errors.js';
import { resolveTrainingConfig } from '../../../../../src-main/core/config/training-config.js';
import {
  openSlideEvaluationSet,
  type EvaluationSetRequest,
} from '../../../../../src-main/core/training/eval/training-evaluation.js';
import { readRunConfig } from '../../../../../src-main/core/training/runs/run-config.js';
import { startTraining } from '../../../../../src-main/core/training/trainer/trainer.js';
import { readMetricsFile, slideDeps, tinyConfig, workspace } from '../trainer/fixtures.js';

const ws = workspace({
  A: ['cmu-1-small-region.svs'],
  B: ['ndpi-dapi.ndpi'],
  heldA: ['bracs-1640-crop.tiff'],
  heldB: ['ndpi-tritc.ndpi'],
});
afterAll(() => ws.done());

/** The real evaluation set, recording the domains (and their folders) each request draws from. */
const deps = (requested: EvaluationSetRequest['domains'][] = []) => {
  const evaluationSet = openSlideEvaluationSet({ cacheDir: ws.cacheDir, workers: 1 });
  return {
    ...slideDeps(ws.cacheDir),
    evaluationSet: (request: EvaluationSetRequest) => {
      requested.push(request.domains);
      return evaluationSet(request);
    },
  };
};

describe('evaluations during training', () => {
  it('a CycleGAN run logs cycle errors and SWDs on held-out slides every N steps', async () => {
    const runDir = join(ws.root, 'cyclegan');
    const config = tinyConfig(ws, {
      model: 'cyclegan',
      steps: 4,
      checkpointEvery: 4,
      evaluateEvery: 2,
      evaluateCount: 8,
      heldOut: [
        { name: 'B', folders: [ws.folder('heldB')] },
        { name: 'A', folders: [ws.folder('heldA')] },
      ],
    });
    expect(config.evaluation).toEqual({
      every: 2,
      count: 8,
      // Held-out slides take their training domain's detector.
      heldOut: [
        { name: 'A', folders: [ws.folder('heldA')], detector: 'otsu-red' },
        { name: 'B', folders: [ws.folder('heldB')], detector: 'otsu-red' },
      ],
    });
    const requested: EvaluationSetRequest['domains'][] = [];
    expect((await startTraining({ config, runDir }, deps(requested)).done).reason).toBe('completed');
    // The real patches come from the held-out folders, not the training slides.
    expect(requested).toEqual([config.evaluation!.heldOut]);
    expect(requested[0]!.map((d) => d.folders)).toEqual([[ws.folder('heldA')], [ws.folder('heldB')]]);
    const metrics = await readMetricsFile(runDir);
    expect(metrics.map((m) => m.evaluation !== undefined)).toEqual([false, true, false, true]);
    expect(Object.keys(metrics[1]!.evaluation!).sort()).toEqual([
      'eval/cycleErrorA',
      'eval/cycleErrorB',
      'eval/swdAB',
      'eval/swdAB@24',
      'eval/swdBA',
      'eval/swdBA@24',
    ]);
    // The set is fixed and the generators moved: the figures change between evaluations.
    expect(metrics[3]!.evaluation!['eval/cycleErrorA']).not.toBe(metrics[1]!.evaluation!['eval/cycleErrorA']);
    expect((await readRunConfig(runDir)).config.evaluation?.every).toBe(2);
  });

  it('a ProGAN run logs the SWD of its EMA generator once images are large enough to compare', async () => {
    const runDir = join(ws.root, 'progan');
    // 4 px for 16 steps (too small for 7x7 neighbourhoods), then fading in 8 px. The generator is
    // evaluated where the next step stands, as its sample grids: from step 16 on at 8 px.
    const config = tinyConfig(ws, {
      model: 'progan',
      steps: 20,
      checkpointEvery: 20,
      evaluateEvery: 4,
      evaluateCount: 8,
    });
    const requested: EvaluationSetRequest['domains'][] = [];
    expect((await startTraining({ config, runDir }, deps(requested)).done).reason).toBe('completed');
    // No held-out folders: the training slides (config.json says so with evaluation.heldOut null).
    expect(config.evaluation!.heldOut).toBeNull();
    expect(requested).toEqual([config.domains]);
    const metrics = await readMetricsFile(runDir);
    const evaluated = metrics.filter((m) => m.evaluation !== undefined);
    expect(evaluated.map((m) => m.step)).toEqual([16, 20]);
    expect(Object.keys(evaluated[0]!.evaluation!).sort()).toEqual(['eval/swd', 'eval/swd@8']);
  });

  it('validates the evaluation settings', () => {
    const base = {
      model: 'cyclegan',
      steps: 1,
      domains: [
        { name: 'A', folders: ['/a'] },
        { name: 'B', folders: ['/b'] },
      ],
    };
    expect(resolveTrainingConfig(base).evaluation).toBeUndefined();
    const bad = (extra: Record<string, unknown>): string => {
      try {
        resolveTrainingConfig({ ...base, ...extra });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ heldOut: [] })).toMatch(/heldOut needs evaluateEvery > 0/);
    expect(bad({ evaluateEvery: 5, heldOut: [{ name: 'A', folders: ['/x'] }] })).toMatch(
      /exactly two domains/,
    );
    expect(
      bad({
        evaluateEvery: 5,
        heldOut: [
          { name: 'A', folders: ['/x'] },
          { name: 'C', folders: ['/y'] },
        ],
      }),
    ).toMatch(/heldOut has no folders for domain 'B'/);
    expect(bad({ evaluateEvery: -1 })).toMatch(/evaluateEvery/);
  });
});
