import type { ModelKind, Preset, TrainingConfig } from '../../contract/index.js';
import { cycleganPreset, proganPreset, proganDownsampleAt } from '../../core/training/presets.js';

/**
 * Run lengths, snapshot and evaluation intervals per preset (the presets define networks, not run
 * lengths). Tiny runs do not evaluate by default: drawing the real set would outlast the run.
 */
const schedule: Record<
  Preset,
  {
    steps: number;
    sampleEvery: number;
    checkpointEvery: number;
    evaluateEvery: number;
    evaluateCount: number;
  }
> = {
  tiny: { steps: 20, sampleEvery: 5, checkpointEvery: 10, evaluateEvery: 0, evaluateCount: 16 },
  small: { steps: 5000, sampleEvery: 100, checkpointEvery: 500, evaluateEvery: 500, evaluateCount: 64 },
  paper: { steps: 200_000, sampleEvery: 1000, checkpointEvery: 5000, evaluateEvery: 5000, evaluateCount: 64 },
};

/**
 * The form's starting point for a model and preset: the preset's patch size, downsample, batch and
 * learning rates (SPEC 5 and 6), no augmentation (the original's default), and the first domains.
 */
export function trainingDefaults(
  model: ModelKind,
  preset: Preset,
  domainIds: readonly string[],
): TrainingConfig {
  const common = {
    preset,
    augmentProbability: 0,
    keepCheckpoints: 3,
    seed: 1,
    backend: 'auto' as const,
    steps: schedule[preset].steps,
    sampleEverySteps: schedule[preset].sampleEvery,
    checkpointEverySteps: schedule[preset].checkpointEvery,
    evaluateEverySteps: schedule[preset].evaluateEvery,
    evaluatePatchCount: schedule[preset].evaluateCount,
  };
  if (model === 'cyclegan') {
    const p = cycleganPreset(preset);
    return {
      ...common,
      model,
      domainIds: domainIds.slice(0, 2),
      patchSizePx: p.sizePx,
      scale: { kind: 'downsample', downsample: p.downsample },
      minTissueFraction: 0,
      batchSize: p.batchSize,
      identityWeight: p.identityWeight,
      learningRate: p.adam.learningRate,
    };
  }
  const p = proganPreset(preset);
  const resolution = p.network.maxResolution;
  return {
    ...common,
    model,
    domainIds: domainIds.slice(0, 1),
    patchSizePx: resolution,
    scale: { kind: 'downsample', downsample: proganDownsampleAt(p, resolution) },
    // The ProGAN variant of the original sampled footprints with more than a third of tissue.
    minTissueFraction: 1 / 3,
    batchSize: p.batchSizes[resolution]!,
    batchSizes: Object.entries(p.batchSizes).map(([r, batchSize]) => ({
      resolutionPx: Number(r),
      batchSize,
    })),
    phaseImages: { ...p.imagesPerPhase },
    learningRate: p.adam.learningRate,
  };
}
