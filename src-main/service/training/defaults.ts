import type { ModelKind, Preset, TrainingConfig } from '../../contract/index.js';
import { cycleganPreset, proganPreset, proganDownsampleAt } from '../../core/training/presets.js';

/** Run lengths and snapshot intervals per preset (the presets define networks, not run lengths). */
const schedule: Record<Preset, { steps: number; sampleEvery: number; checkpointEvery: number }> = {
  tiny: { steps: 20, sampleEvery: 5, checkpointEvery: 10 },
  small: { steps: 5000, sampleEvery: 100, checkpointEvery: 500 },
  paper: { steps: 200_000, sampleEvery: 1000, checkpointEvery: 5000 },
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
    learningRate: p.adam.learningRate,
  };
}
