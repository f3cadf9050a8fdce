import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src-main/cli/commands/training-output.js';
import type { StepMetrics } from '../../../src-main/core/training/runs/metrics.js';

const STEP: StepMetrics = {
  step: 12,
  time: '2026-01-01T00:00:00.000Z',
  losses: { generatorTotal: 7.25, discriminatorA: 0.25, discriminatorB: 0.5, cycleA: 2, cycleB: 3 },
  learningRate: 2e-4,
  stepMs: 200,
  dataWaitMs: 1,
  images: 2,
  imagesPerSecond: 9.5,
  samplerPatchesPerSecond: 410,
  queueDepth: 30,
  backend: 'cpu',
  memory: { rssBytes: 1, tfBytes: 1, tfTensors: 1 },
  pooledImages: 0,
};

describe('the live progress line', () => {
  it('shows step of total, the losses, rates, data-wait share and the ETA', () => {
    expect(progressLine(STEP, 100, 125, 0.005)).toBe(
      'step 12/100  G 7.250 D 0.750 cycle 5.000  9.5 img/s  sampler 410 patches/s  data-wait 0.5%  ETA 2m05s',
    );
    expect(progressLine(STEP, 100, 42, 0)).toMatch(/ {2}ETA 42s$/);
    expect(progressLine(STEP, 100, 3 * 3600 + 7 * 60 + 5, 0)).toMatch(/ {2}ETA 3h07m$/);
  });

  it('leaves the ETA out before the rate is known, and the total and ETA out of a run timed by the clock', () => {
    expect(progressLine(STEP, 100, null, 0)).not.toContain('ETA');
    expect(progressLine(STEP, null, null, 0)).toMatch(/^step 12 {2}G /);
  });

  it('ProGAN: critic, generator, gradient penalty and where the growing stands', () => {
    const progan: StepMetrics = {
      ...STEP,
      losses: { criticTotal: -1.5, generator: 2, gradientPenalty: 0.125 },
      progan: { resolution: 8, alpha: 0.25, phase: 1, fading: true, imagesSeen: 80 },
    };
    expect(progressLine(progan, 40, 8, 0)).toMatch(
      /^step 12\/40 {2}D -1\.500 G 2\.000 GP 0\.125 8px fade 0\.25 {2}.* {2}ETA 8s$/,
    );
  });
});
