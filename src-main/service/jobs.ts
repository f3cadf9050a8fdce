import { randomBytes } from 'node:crypto';
import type { JobInfo, JobKind } from '../contract/index.js';
import type { EventBus } from './events.js';

/** What a job's body receives: a signal to stop on, and a way to report progress. */
export interface JobContext {
  readonly signal: AbortSignal;
  readonly jobId: string;
  progress(fraction: number | null, message?: string | null): void;
}

interface RunningJob {
  info: JobInfo;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * The long operations the service owns. Each job runs until its body settles; stopping aborts its signal
 * (cancellation resolves, it does not reject); `drain` stops all and waits, so shutdown never cuts a
 * checkpoint or mask write in half.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(private readonly events: EventBus) {}

  /** Starts `body` as a job; its state changes go out as `job.state` events. */
  start(kind: JobKind, subject: string, body: (context: JobContext) => Promise<void>): JobInfo {
    const jobId = `${kind}-${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const info: JobInfo = { jobId, kind, subject, state: 'running', startedAt: new Date().toISOString() };
    const context: JobContext = {
      signal: controller.signal,
      jobId,
      progress: (fraction, message = null) => {
        const current = this.jobs.get(jobId);
        if (current) this.events.emit('job.state', { job: current.info, progress: fraction, message });
      },
    };
    const done = (async () => {
      await Promise.resolve();
      try {
        await body(context);
        this.finish(jobId, controller.signal.aborted ? 'stopped' : 'done');
      } catch (error) {
        this.finish(
          jobId,
          controller.signal.aborted ? 'stopped' : 'failed',
          (error as Error).message ?? String(error),
        );
      }
    })();
    this.jobs.set(jobId, { info, controller, done });
    this.events.emit('job.state', { job: info, progress: null, message: null });
    return info;
  }

  /** The running job of a kind and subject, if any. */
  find(kind: JobKind, subject?: string): JobInfo | null {
    for (const job of this.jobs.values()) {
      if (job.info.kind === kind && (subject === undefined || job.info.subject === subject)) return job.info;
    }
    return null;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((job) => job.info);
  }

  /** Asks a job to stop and waits until it has. Unknown ids resolve at once. */
  async stop(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    if (job.info.state === 'running') {
      job.info = { ...job.info, state: 'stopping' };
      this.events.emit('job.state', { job: job.info, progress: null, message: null });
    }
    job.controller.abort();
    await job.done;
  }

  /** Waits for a job to end without stopping it. */
  async wait(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.done;
  }

  /** Stops every job and waits for all of them. */
  async drain(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((jobId) => this.stop(jobId)));
  }

  private finish(jobId: string, state: 'done' | 'stopped' | 'failed', error?: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    const info: JobInfo = { ...job.info, state, ...(error !== undefined ? { error } : {}) };
    this.events.emit('job.state', {
      job: info,
      progress: state === 'done' ? 1 : null,
      message: error ?? null,
    });
  }
}
