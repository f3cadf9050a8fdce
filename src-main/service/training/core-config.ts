import { realpathSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ResolutionBatch, TrainingConfig, ValidationIssue } from '../../contract/index.js';
import { ConfigError } from '../../core/config/errors.js';
import {
  resolveTrainingConfig,
  type TrainingConfig as CoreTrainingConfig,
  type TrainingConfigInput,
} from '../../core/config/training-config.js';
import { isInside } from '../workspace/path-guard.js';
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
  heldOut: 'heldOutFolders',
};

/**
 * The trainer's input for a form's configuration: domains by name with their folders; `heldOut`, the
 * real paths of the held-out folders (heldOutFolders checked), one per domain.
 */
export function toConfigInput(
  config: TrainingConfig,
  workspace: Workspace,
  heldOut: readonly string[] | null = null,
): TrainingConfigInput {
  const domains = config.domainIds.map((id) => workspace.domain(id));
  return {
    model: config.model,
    preset: config.preset,
    domains: domains.map((d) => ({ name: d.name, folders: d.folders, detector: d.detector })),
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
    ...(heldOut && { heldOut: domains.map((d, i) => ({ name: d.name, folders: [heldOut[i]!] })) }),
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
 * The form's held-out folders as real paths, checked as folders added to a domain are: absolute, an
 * existing directory, inside the roots the workbench may open. Null when none is given.
 */
export function resolveHeldOutFolders(
  config: TrainingConfig,
  workspace: Workspace,
): { ok: true; folders: string[] | null } | { ok: false; issue: ValidationIssue } {
  const given = (config.heldOutFolders ?? []).map((f) => f.trim());
  const fail = (message: string) => ({ ok: false as const, issue: { field: 'heldOutFolders', message } });
  if (given.every((f) => f === '')) return { ok: true, folders: null };
  const names = config.domainIds.map((id) => workspace.domain(id).name);
  if (given.length !== names.length || given.some((f) => f === '')) {
    return fail(`Give a held-out folder for every domain (${names.join(', ')}), or none`);
  }
  const folders: string[] = [];
  for (const [i, folder] of given.entries()) {
    const of = `The held-out folder '${folder}' of ${names[i]}`;
    if (!isAbsolute(folder)) return fail(`${of} is not an absolute path`);
    let real: string;
    try {
      real = realpathSync(folder);
    } catch {
      return fail(`${of} does not exist`);
    }
    if (!statSync(real).isDirectory()) return fail(`${of} is a file, not a folder`);
    const roots = workspace.pickRoots;
    if (roots && !roots.some((root) => isInside(real, root))) {
      return fail(`${of} is outside the folders this workbench may open (${roots.join(', ')})`);
    }
    folders.push(real);
  }
  return { ok: true, folders };
}

/**
 * Resolves the form's configuration with the trainer's own rules (presets, sizes the networks take, ...):
 * the complete config, or the trainer's objection on the form's field.
 */
export function resolveCoreConfig(
  config: TrainingConfig,
  workspace: Workspace,
): { ok: true; config: CoreTrainingConfig } | { ok: false; issue: ValidationIssue } {
  const heldOut = resolveHeldOutFolders(config, workspace);
  if (!heldOut.ok) return heldOut;
  try {
    return { ok: true, config: resolveTrainingConfig(toConfigInput(config, workspace, heldOut.folders)) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const base = error.field === null ? '' : (/^[A-Za-z]+/.exec(error.field)?.[0] ?? '');
    const field = formField[base] ?? base;
    return { ok: false, issue: { field, message: error.message } };
  }
}
