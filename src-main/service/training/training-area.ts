import type { TrainingApi, TrainingStatus } from '../../contract/index.js';
import type { ServiceContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';
import { trainingDefaults } from './defaults.js';
import { detectBackends, type BackendDetection } from './detect-backends.js';
import { validateTrainingConfig } from './validate-config.js';

const idle: TrainingStatus = {
  phase: 'idle',
  runId: null,
  job: null,
  step: 0,
  totalSteps: 0,
  etaSeconds: null,
  patchesPerSecond: null,
  dataWaitFraction: null,
  backend: null,
  device: null,
  error: null,
};

/** Training: backend detection, defaults from the presets, configuration checks, and the training job. */
export function createTrainingArea(context: ServiceContext): TrainingApi {
  const { workspace } = context;
  let detection: Promise<BackendDetection> | null = null;
  const needs = 'the trainer loop (core/training, issue 5)';

  return {
    backends() {
      // Detected once per service: loading every backend takes seconds. A failed probe is retried.
      detection ??= detectBackends().catch((error: unknown) => {
        detection = null;
        throw error;
      });
      return detection;
    },
    async defaults(request) {
      const domainIds = workspace.domains().map((d) => d.id);
      return { config: trainingDefaults(request.model, request.preset, domainIds) };
    },
    async validate(request) {
      const issues = validateTrainingConfig(request.config, workspace);
      return { valid: issues.length === 0, issues };
    },
    start: async () => Promise.reject(notImplemented('training.start', needs)),
    stop: async () => Promise.reject(notImplemented('training.stop', needs)),
    resume: async () => Promise.reject(notImplemented('training.resume', needs)),
    async status() {
      return idle;
    },
  };
}
