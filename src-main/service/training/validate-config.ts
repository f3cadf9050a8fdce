import type { TrainingConfig, ValidationIssue } from '../../contract/index.js';
import type { Workspace } from '../workspace/workspace.js';
import { resolveCoreConfig } from './core-config.js';

/**
 * Cross-field checks of a training configuration (the schema has already checked types and ranges):
 * domains exist and have folders, then the trainer's own rules (domain count per model, sizes the networks
 * take, presets). Returns every problem with the form field it concerns.
 */
export function validateTrainingConfig(config: TrainingConfig, workspace: Workspace): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const known = new Set(workspace.domains().map((d) => d.id));
  for (const id of config.domainIds) {
    if (!known.has(id)) issues.push({ field: 'domainIds', message: `No domain with id '${id}'` });
  }
  if (new Set(config.domainIds).size !== config.domainIds.length)
    issues.push({ field: 'domainIds', message: 'A domain is chosen twice' });
  const domains = config.domainIds.filter((id) => known.has(id)).map((id) => workspace.domain(id));
  for (const domain of domains) {
    if (domain.folders.length === 0)
      issues.push({ field: 'domainIds', message: `The domain '${domain.name}' has no folders yet` });
  }
  if (config.model === 'cyclegan' && config.domainIds.length !== 2)
    issues.push({ field: 'domainIds', message: 'CycleGAN needs exactly two domains, A and B' });
  if (issues.length === 0) {
    const resolved = resolveCoreConfig(config, workspace);
    if (!resolved.ok) issues.push(resolved.issue);
  }
  return issues;
}
