import type { BackendName, JobInfo, TrainingPhase, TrainingStatus } from '../../contract/index.js';
import type { StepMetrics } from '../../core/training/runs/metrics.js';

/** Steps the ETA and the data-wait share average over. */
const window = 20;

/** Builds the Training view's status line from the trainer's events. */
export class StatusTracker {
  private phase: TrainingPhase = 'starting';
  private step = 0;
  private totalSteps = 0;
  private backend: BackendName | null = null;
  private device: string | null = null;
  private error: string | null = null;
  private patchesPerSecond: number | null = null;
  private recent: { ms: number; waitMs: number }[] = [];

  constructor(
    readonly runId: string,
    private job: JobInfo,
  ) {}

  started(step: number, totalSteps: number): void {
    this.phase = this.phase === 'stopping' ? 'stopping' : 'running';
    this.step = step;
    this.totalSteps = totalSteps;
  }

  backendChosen(name: BackendName, device: string): void {
    this.backend = name;
    this.device = device;
  }

  stepDone(metrics: StepMetrics): void {
    this.step = metrics.step;
    this.patchesPerSecond = metrics.samplerPatchesPerSecond;
    this.recent.push({ ms: metrics.stepMs + metrics.dataWaitMs, waitMs: metrics.dataWaitMs });
    if (this.recent.length > window) this.recent.shift();
  }

  stopping(): void {
    this.phase = 'stopping';
  }

  ended(phase: 'finished' | 'stopped' | 'failed', error: string | null = null): void {
    this.phase = phase;
    this.job = {
      ...this.job,
      state: phase === 'failed' ? 'failed' : phase === 'stopped' ? 'stopped' : 'done',
    };
    this.error = error;
  }

  get running(): boolean {
    return this.phase === 'starting' || this.phase === 'running' || this.phase === 'stopping';
  }

  status(): TrainingStatus {
    const total = this.recent.reduce((sum, r) => sum + r.ms, 0);
    const wait = this.recent.reduce((sum, r) => sum + r.waitMs, 0);
    const meanSeconds = this.recent.length > 0 ? total / this.recent.length / 1000 : null;
    return {
      phase: this.phase,
      runId: this.runId,
      job: this.running ? this.job : null,
      step: this.step,
      totalSteps: this.totalSteps,
      etaSeconds:
        meanSeconds === null || !this.running ? null : meanSeconds * Math.max(0, this.totalSteps - this.step),
      patchesPerSecond: this.patchesPerSecond,
      dataWaitFraction: total > 0 ? wait / total : null,
      backend: this.backend,
      device: this.device,
      error: this.error,
    };
  }
}
