import type { TrainingConfig, ValidationIssue } from '../../contract/index.js';
import { cycleganPreset, proganPreset } from '../../core/training/presets.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * Cross-field checks of a training configuration (the schema has already checked types and ranges):
 * domains exist and fit the model, the patch size fits the network, intervals fit the run. Returns every
 * problem, each with the field it concerns, so the form can show them beside the inputs.
 */
export function validateTrainingConfig(config: TrainingConfig, workspace: Workspace): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const known = new Set(workspace.domains().map((d) => d.id));
  for (const id of config.domainIds) {
    if (!known.has(id)) issues.push({ field: 'domainIds', message: `No domain with id '${id}'` });
  }
  if (new Set(config.domainIds).size !== config.domainIds.length)
    issues.push({ field: 'domainIds', message: 'A domain is chosen twice' });
  for (const id of config.domainIds) {
    const domain = known.has(id) ? workspace.domain(id) : null;
    if (domain && domain.folders.length === 0)
      issues.push({ field: 'domainIds', message: `The domain '${domain.name}' has no folders yet` });
  }
  if (config.model === 'cyclegan') {
    if (config.domainIds.length !== 2)
      issues.push({ field: 'domainIds', message: 'CycleGAN needs exactly two domains, A and B' });
    try {
      cycleganPreset(config.preset, { sizePx: config.patchSizePx, batchSize: config.batchSize });
    } catch (error) {
      issues.push({ field: 'patchSizePx', message: (error as Error).message });
    }
  } else {
    const maxResolution = proganPreset(config.preset).network.maxResolution;
    if (
      !Number.isInteger(Math.log2(config.patchSizePx)) ||
      config.patchSizePx < 8 ||
      config.patchSizePx > maxResolution
    ) {
      issues.push({
        field: 'patchSizePx',
        message: `ProGAN grows to a power of two from 8 to ${maxResolution} px with the '${config.preset}' preset; ${config.patchSizePx} is not one`,
      });
    }
  }
  if (config.sampleEverySteps > config.steps)
    issues.push({
      field: 'sampleEverySteps',
      message: `No samples would be written: the run has ${config.steps} steps`,
    });
  if (config.checkpointEverySteps > config.steps)
    issues.push({
      field: 'checkpointEverySteps',
      message: `No checkpoint would be written before the end (${config.steps} steps)`,
    });
  return issues;
}
