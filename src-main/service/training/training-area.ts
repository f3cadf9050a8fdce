import type { TrainingApi } from '../../contract/index.js';
import type { ServiceContext } from '../context.js';
import { trainingDefaults } from './defaults.js';
import { detectBackends, type BackendDetection } from './detect-backends.js';
import type { TrainingController } from './training-controller.js';
import { validateTrainingConfig } from './validate-config.js';

/** Training: backend detection, defaults from the presets, configuration checks, and the training job. */
export function createTrainingArea(context: ServiceContext, controller: TrainingController): TrainingApi {
  const { workspace } = context;
  let detection: Promise<BackendDetection> | null = null;

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
    start(request) {
      return controller.start(request.config);
    },
    async stop(request) {
      return { status: await controller.stop(request.runId) };
    },
    resume(request) {
      return controller.resume(request.runId, request.steps);
    },
    async status() {
      return controller.status();
    },
  };
}
