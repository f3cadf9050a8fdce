import type { RunConfigSummary, RunSummary, TrainingPhase } from '../../contract/index.js';
import type { BackendName } from '../../contract/index.js';
import type { RunConfigFile, RunSummary as CoreRunSummary } from '../../core/training/runs/run-config.js';

/** What the Runs list shows of a run's `config.json`. */
export function configSummary(file: RunConfigFile): RunConfigSummary {
  const c = file.config;
  const backend = file.resumes.at(-1)?.backend ?? file.backend;
  const adam = c.model === 'cyclegan' ? c.cyclegan.adam : c.progan.adam;
  return {
    preset: c.preset,
    domains: c.domains.map((d) => d.name),
    domainFolders: c.domains.map((d) => ({ name: d.name, folders: d.folders, detector: d.detector })),
    patchSizePx: c.sampling.sizePx,
    scale: c.sampling.scale,
    batchSize: c.model === 'cyclegan' ? c.cyclegan.batchSize : (c.progan.batchSizes[c.sampling.sizePx] ?? 0),
    learningRate: adam.learningRate,
    augmentProbability: c.sampling.augment,
    minTissueFraction: c.sampling.minTissueFraction,
    seed: c.seed,
    steps: c.steps,
    evaluationSlides: c.evaluation ? (c.evaluation.heldOut ? 'held-out' : 'training') : null,
    backend: { requested: backend.requested, chosen: backend.chosen as BackendName, device: backend.device },
  };
}

/**
 * A run as the contract lists it. `trainingPhase` is the live phase when the service trains this run now;
 * otherwise the folder tells: finished when its last step reached the target, stopped before.
 */
export function runSummary(
  core: CoreRunSummary,
  file: RunConfigFile,
  sampleSteps: readonly number[],
  trainingPhase: TrainingPhase | null,
): RunSummary {
  const lastStep = core.last?.step ?? 0;
  const done = Math.max(lastStep, core.checkpointStep ?? 0) >= core.steps;
  return {
    runId: core.name,
    path: core.dir,
    name: core.name,
    model: core.model,
    createdAt: core.createdAt,
    lastStep,
    checkpointStep: core.checkpointStep,
    totalSteps: core.steps,
    phase: trainingPhase ?? (done ? 'finished' : 'stopped'),
    config: configSummary(file),
    sampleSteps,
  };
}
