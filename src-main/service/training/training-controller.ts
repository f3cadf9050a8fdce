import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  BackendName,
  MetricPoint,
  StartTrainingResponse,
  TrainingConfig,
  TrainingStatus,
} from '../../contract/index.js';
import { openSlideEvaluationSet } from '../../core/training/eval/training-evaluation.js';
import { newRunName } from '../../core/training/runs/layout.js';
import { readRunConfig } from '../../core/training/runs/run-config.js';
import { openSlideBatchSource } from '../../core/training/trainer/sampler-source.js';
import { resumeTraining, startTraining } from '../../core/training/trainer/trainer.js';
import type { TrainerDeps, TrainingJob } from '../../core/training/trainer/training-job.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { auditPatches } from './audit-patches.js';
import { resolveCoreConfig } from './core-config.js';
import { EventBatcher, StreamThinner } from './event-batcher.js';
import { metricValues } from './metric-names.js';
import { StatusTracker } from './status-tracker.js';
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

/** Audit patches sent per domain per second at most, and encodings allowed in flight. */
const galleryPerSecond = 6;
const maxPendingEncodes = 4;

/**
 * The one training job of the service: starts, resumes and stops runs through the trainer, and turns its
 * events into the contract's (batched metrics with the status line, sample notices, thinned audit
 * patches with small images). The run folders live in the service's runs folder.
 */
export class TrainingController {
  private current: { tracker: StatusTracker; jobId: string } | null = null;
  private last: StatusTracker | null = null;

  constructor(private readonly context: ServiceContext) {}

  status(): TrainingStatus {
    return (this.current?.tracker ?? this.last)?.status() ?? idle;
  }

  /** The run being trained now, if any. */
  runningRunId(): string | null {
    return this.current?.tracker.running ? this.current.tracker.runId : null;
  }

  async start(config: TrainingConfig): Promise<StartTrainingResponse> {
    this.assertIdle();
    const issues = validateTrainingConfig(config, this.context.workspace);
    const resolved = issues.length === 0 ? resolveCoreConfig(config, this.context.workspace) : null;
    if (!resolved?.ok) {
      const all = resolved && !resolved.ok ? [resolved.issue] : issues;
      throw new ServiceError('INVALID_REQUEST', `training.start: ${all.map((i) => i.message).join('; ')}`, {
        issues: all,
      });
    }
    const runId = await this.freeRunName(config.runName ?? newRunName(config.model, config.preset));
    const runDir = join(this.context.options.runsDir, runId);
    return this.launch(runId, () => startTraining({ config: resolved.config, runDir }, this.deps()));
  }

  async resume(runId: string, steps: number | undefined): Promise<StartTrainingResponse> {
    this.assertIdle();
    const runDir = join(this.context.options.runsDir, runId);
    // Checks that the run exists; its config.json names each domain's detector, so resume uses its masks.
    await readRunConfig(runDir).catch((error: unknown) => {
      throw new ServiceError(
        'NOT_FOUND',
        `No run '${runId}' in ${this.context.options.runsDir}: ${(error as Error).message}`,
        {
          path: runDir,
        },
      );
    });
    return this.launch(runId, () =>
      resumeTraining({ runDir, ...(steps !== undefined ? { steps } : {}) }, this.deps()),
    );
  }

  async stop(runId: string): Promise<TrainingStatus> {
    const current = this.current;
    if (!current || current.tracker.runId !== runId || !current.tracker.running) {
      throw new ServiceError('NOT_FOUND', `The run '${runId}' is not training`);
    }
    current.tracker.stopping();
    await this.context.jobs.stop(current.jobId);
    return current.tracker.status();
  }

  private assertIdle(): void {
    const running = this.runningRunId();
    if (running) throw new ServiceError('CONFLICT', `The run '${running}' is training; stop it first`);
  }

  /** Each domain's masks are built with the detector its config names (SPEC 1.9). */
  private deps(): TrainerDeps {
    const cacheDir = this.context.options.cacheDir;
    // Runs with evaluateEverySteps > 0 draw their fixed real set through evaluationSet.
    return {
      openSource: openSlideBatchSource({ cacheDir }),
      evaluationSet: openSlideEvaluationSet({ cacheDir }),
    };
  }

  /** A run folder name not taken yet (two runs started in the same second get -2, -3...). */
  private async freeRunName(name: string): Promise<string> {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      const taken = await access(join(this.context.options.runsDir, candidate)).then(
        () => true,
        () => false,
      );
      if (!taken) return candidate;
    }
  }

  private launch(runId: string, create: () => TrainingJob): StartTrainingResponse {
    const { events, jobs } = this.context;
    let tracker: StatusTracker | null = null;
    const info = jobs.start('training', runId, async ({ signal, progress }) => {
      const active = tracker!;
      const batcher = new EventBatcher<MetricPoint>(250, (points) =>
        events.emit('training.metrics', { runId, points, status: active.status() }),
      );
      const thinner = new StreamThinner<string>(1000, galleryPerSecond, (domain) => domain);
      let pendingEncodes = 0;
      let job: TrainingJob | null = null;
      const stop = (): void => void job?.stop();
      signal.addEventListener('abort', stop);
      try {
        job = create();
        job.on('backend', (backend) => active.backendChosen(backend.chosen as BackendName, backend.device));
        job.on('started', (started) => active.started(started.step, started.steps));
        job.on('data', (data) => progress(null, data.message));
        job.on('step', (metrics) => {
          active.stepDone(metrics);
          batcher.add({ step: metrics.step, values: metricValues(metrics) });
        });
        job.on('sample', (sample) =>
          events.emit('training.samples', { runId, step: sample.step, grids: ['samples'] }),
        );
        job.on('patches', (fed) => {
          if (pendingEncodes >= maxPendingEncodes) return;
          pendingEncodes++;
          void auditPatches(fed, (domain) => thinner.accept(domain))
            .then((patches) => {
              if (patches.length > 0) events.emit('sampler.patches', { runId, patches });
            })
            .catch(() => undefined)
            .finally(() => pendingEncodes--);
        });
        if (signal.aborted) stop();
        const result = await job.done;
        batcher.flush();
        active.ended(result.reason === 'completed' ? 'finished' : 'stopped');
      } catch (error) {
        batcher.flush();
        active.ended('failed', (error as Error).message);
        throw error;
      } finally {
        signal.removeEventListener('abort', stop);
      }
    });
    tracker = new StatusTracker(runId, info);
    if (this.current) this.last = this.current.tracker;
    this.current = { tracker, jobId: info.jobId };
    return { runId, job: info };
  }
}
