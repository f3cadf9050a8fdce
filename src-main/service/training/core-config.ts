import type { ResolutionBatch, TrainingConfig, ValidationIssue } from '../../contract/index.js';
import { ConfigError } from '../../core/config/errors.js';
import {
  resolveTrainingConfig,
  type TrainingConfig as CoreTrainingConfig,
  type TrainingConfigInput,
} from '../../core/config/training-config.js';
import type { Workspace } from '../workspace/workspace.js';

/** The core config's field names, and the form's field each belongs to. */
const formField: Readonly<Record<string, string>> = {
  domains: 'domainIds',
  sizePx: 'patchSizePx',
  downsample: 'scale',
  mpp: 'scale',
  augment: 'augmentProbability',
  checkpointEvery: 'checkpointEverySteps',
  sampleEvery: 'sampleEverySteps',
  evaluateEvery: 'evaluateEverySteps',
  evaluateCount: 'evaluatePatchCount',
  evaluation: 'evaluateEverySteps',
};

/** The trainer's input for a form's configuration: domains by name with their folders. */
export function toConfigInput(config: TrainingConfig, workspace: Workspace): TrainingConfigInput {
  return {
    model: config.model,
    preset: config.preset,
    domains: config.domainIds.map((id) => {
      const domain = workspace.domain(id);
      return { name: domain.name, folders: domain.folders, detector: domain.detector };
    }),
    steps: config.steps,
    backend: config.backend,
    sizePx: config.patchSizePx,
    ...(config.scale.kind === 'downsample'
      ? { downsample: config.scale.downsample }
      : { mpp: config.scale.mpp }),
    augment: config.augmentProbability,
    minTissueFraction: config.minTissueFraction,
    batchSize: config.batchSize,
    ...(config.batchSizes !== undefined && {
      batchSizes: batchSizesUpTo(config.batchSizes, config.patchSizePx),
    }),
    ...(config.phaseImages !== undefined && { phaseImages: config.phaseImages }),
    ...(config.identityWeight !== undefined && { identityWeight: config.identityWeight }),
    learningRate: config.learningRate,
    ...(config.discriminatorLearningRate !== undefined && {
      discriminatorLearningRate: config.discriminatorLearningRate,
    }),
    seed: config.seed,
    checkpointEvery: config.checkpointEverySteps,
    sampleEvery: config.sampleEverySteps,
    ...(config.evaluateEverySteps !== undefined ? { evaluateEvery: config.evaluateEverySteps } : {}),
    ...(config.evaluatePatchCount !== undefined ? { evaluateCount: config.evaluatePatchCount } : {}),
    keepCheckpoints: config.keepCheckpoints,
  };
}

/**
 * The form keeps a minibatch for every resolution it has shown; those above the patch size are not
 * resolutions of this network (the user lowered the size) and are dropped rather than refused.
 */
function batchSizesUpTo(batches: readonly ResolutionBatch[], patchSizePx: number): Record<string, number> {
  return Object.fromEntries(
    batches.filter((b) => b.resolutionPx <= patchSizePx).map((b) => [String(b.resolutionPx), b.batchSize]),
  );
}

/**
 * Resolves the form's configuration with the trainer's own rules (presets, sizes the networks take, ...):
 * the complete config, or the trainer's objection on the form's field.
 */
export function resolveCoreConfig(
  config: TrainingConfig,
  workspace: Workspace,
): { ok: true; config: CoreTrainingConfig } | { ok: false; issue: ValidationIssue } {
  try {
    return { ok: true, config: resolveTrainingConfig(toConfigInput(config, workspace)) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const base = error.field === null ? '' : (/^[A-Za-z]+/.exec(error.field)?.[0] ?? '');
    const field = formField[base] ?? base;
    return { ok: false, issue: { field, message: error.message } };
  }
}
