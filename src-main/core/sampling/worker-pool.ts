import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../util/worker-url.js';
import type { PatchJob, PatchJobResult } from './patch-job.js';

/** Messages from the pool to a patch worker. */
export type ToPatchWorker =
  | { readonly type: 'job'; readonly id: number; readonly job: PatchJob; readonly urgent: boolean }
  | { readonly type: 'close' };

/** Messages from a patch worker to the pool. */
export type FromPatchWorker =
  | { readonly type: 'result'; readonly id: number; readonly result: PatchJobResult }
  | { readonly type: 'closed' };

/** Start-up data of a patch worker. */
export interface PatchWorkerData {
  /** Jobs a worker runs at once (its reads overlap its CPU work). */
  readonly concurrency: number;
  /** Open slide handles each worker keeps (LRU). */
  readonly maxOpenSlides: number;
  /** 0 for the pool's first worker, counting replacements too (the fault hook picks the first). */
  readonly spawnIndex: number;
}

export interface PatchWorkerPoolOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Jobs each worker runs at once, so its reads overlap its CPU work (default 2). */
  readonly concurrencyPerWorker?: number;
  /** Slide handles each worker keeps open, least recently used closed first (default 16). */
  readonly maxOpenSlidesPerWorker?: number;
}

interface Member {
  worker: Worker;
  pending: Map<number, { job: PatchJob; resolve: (r: PatchJobResult) => void }>;
  alive: boolean;
}

/**
 * A pool of patch worker threads. Jobs are posted to a worker as soon as they are submitted (each worker
 * queues them), so the workers keep going while the owning thread is busy, e.g. inside a synchronous
 * training step. Results resolve the submitting promise; a worker that dies has its jobs failed with
 * kind 'internal' and is replaced.
 */
export class PatchWorkerPool {
  private readonly members: Member[] = [];
  private readonly options: Required<PatchWorkerPoolOptions>;
  private nextId = 1;
  private spawned = 0;
  private closed = false;

  constructor(options: Readonly<PatchWorkerPoolOptions> = {}) {
    this.options = {
      workers: options.workers ?? availableParallelism(),
      concurrencyPerWorker: options.concurrencyPerWorker ?? 2,
      maxOpenSlidesPerWorker: options.maxOpenSlidesPerWorker ?? 16,
    };
    for (const [name, value] of Object.entries(this.options)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Expected a positive integer for ${name} but received ${value}`);
      }
    }
    for (let i = 0; i < this.options.workers; i++) this.members.push(this.spawn());
  }

  get size(): number {
    return this.members.length;
  }

  /** Jobs submitted and not yet answered. */
  get inFlight(): number {
    return this.members.reduce((n, m) => n + m.pending.size, 0);
  }

  /**
   * Runs one job on the least busy worker. `urgent` jobs go to the front of that worker's queue: a
   * replacement for a failed patch holds up delivery, so it must not wait behind the whole prefetch.
   */
  run(job: PatchJob, urgent = false): Promise<PatchJobResult> {
    if (this.closed) {
      return Promise.resolve({
        ok: false,
        kind: 'internal',
        code: 'CLOSED',
        message: 'The worker pool is closed',
      });
    }
    let member = this.members[0]!;
    for (const m of this.members) if (m.pending.size < member.pending.size) member = m;
    const id = this.nextId++;
    return new Promise((resolve) => {
      member.pending.set(id, { job, resolve });
      const message: ToPatchWorker = { type: 'job', id, job, urgent };
      member.worker.postMessage(message);
    });
  }

  /**
   * Stops every worker: each closes its slide handles and exits (terminated after `graceMs` if it does
   * not); unfinished jobs resolve as 'internal' failures.
   */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.members.map(async (m) => {
        m.alive = false;
        this.failAll(m, 'CLOSED', 'The worker pool was closed');
        if (m.worker.threadId < 0) return;
        const exited = new Promise<void>((resolve) => m.worker.once('exit', () => resolve()));
        const message: ToPatchWorker = { type: 'close' };
        m.worker.postMessage(message);
        const timer = setTimeout(() => void m.worker.terminate(), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(): Member {
    const workerData: PatchWorkerData = {
      concurrency: this.options.concurrencyPerWorker,
      maxOpenSlides: this.options.maxOpenSlidesPerWorker,
      spawnIndex: this.spawned++,
    };
    const worker = startSiblingWorker(import.meta.url, './patch-worker', { workerData });
    const member: Member = { worker, pending: new Map(), alive: true };
    worker.on('message', (message: FromPatchWorker) => {
      if (message.type !== 'result') return;
      const entry = member.pending.get(message.id);
      if (entry === undefined) return;
      member.pending.delete(message.id);
      entry.resolve(message.result);
    });
    const onDeath = (why: string): void => {
      if (!member.alive) return;
      member.alive = false;
      this.failAll(member, 'WORKER_FAILED', `A patch worker stopped: ${why}`);
      if (!this.closed) this.members[this.members.indexOf(member)] = this.spawn();
    };
    worker.on('error', (error: Error) => onDeath(error.stack ?? error.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    return member;
  }

  private failAll(member: Member, code: string, message: string): void {
    for (const { resolve } of member.pending.values())
      resolve({ ok: false, kind: 'internal', code, message });
    member.pending.clear();
  }
}
