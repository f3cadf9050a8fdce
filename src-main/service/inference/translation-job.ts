import type { JobInfo, TranslationProgressEvent, TranslationSummary } from '../../contract/index.js';
import type { ServiceContext } from '../context.js';
import type { TranslationRegistry } from './translation-registry.js';
import type { TranslateTask } from './worker-protocol.js';
import { runWorkerTask } from './worker-task.js';

/** Progress events at most this often (plus every phase change and the last unit of a phase). */
const progressIntervalMs = 200;

/**
 * Starts the translation of `record` as a job: the worker translates, its progress goes out as
 * `translation.progress` events (throttled), and the record follows the job (running, then done, stopped
 * or failed; each change as `translation.state`). Cancelling the job stops the worker at its next tile
 * batch; the finished rows stay for a rerun of the same request.
 */
export function startTranslationJob(
  context: ServiceContext,
  registry: TranslationRegistry,
  record: TranslationSummary,
  task: TranslateTask,
): { job: JobInfo; recorded: Promise<TranslationSummary> } {
  const { events, jobs } = context;
  const started = performance.now();
  const announce = (translation: TranslationSummary | null): void => {
    if (translation) events.emit('translation.state', { translation });
  };
  let recorded: Promise<TranslationSummary> = Promise.resolve(record);

  const job = jobs.start('translate', task.outPath, async ({ signal, jobId }) => {
    await recorded;
    let lastSent = 0;
    let lastPhase = '';
    const progress = (p: Omit<TranslationProgressEvent, 'jobId' | 'outPath' | 'elapsedSeconds'>): void => {
      const now = performance.now();
      const boundary = p.phase !== lastPhase || p.done === p.total;
      if (!boundary && now - lastSent < progressIntervalMs) return;
      lastSent = now;
      lastPhase = p.phase;
      events.emit('translation.progress', {
        jobId,
        outPath: task.outPath,
        elapsedSeconds: (now - started) / 1000,
        ...p,
      });
    };
    progress({ phase: 'loading', done: 0, total: 1, tissueTiles: 0, backgroundTiles: 0, fraction: 0 });
    try {
      const outcome = await runWorkerTask(task, {
        signal,
        onMessage: (message) => {
          if (message.kind === 'progress') progress(message.progress);
        },
      });
      const finishedAt = new Date().toISOString();
      if (outcome.kind === 'translated' && outcome.result.status === 'done') {
        const r = outcome.result;
        // A replaced file must not be served from a handle on the old one.
        context.slides.invalidate(task.outPath);
        announce(
          await registry.update(task.outPath, {
            state: 'done',
            jobId: null,
            finishedAt,
            widthPx: r.widthPx,
            heightPx: r.heightPx,
            levelCount: r.levels.length,
            fileBytes: r.fileBytes,
            resumedFromRow: r.resumedFromTiffRow,
            error: null,
          }),
        );
      } else {
        const resumedFromRow = outcome.kind === 'translated' ? outcome.result.resumedFromTiffRow : null;
        announce(
          await registry.update(task.outPath, { state: 'stopped', jobId: null, finishedAt, resumedFromRow }),
        );
      }
    } catch (error) {
      announce(
        await registry.update(task.outPath, {
          state: signal.aborted ? 'stopped' : 'failed',
          jobId: null,
          finishedAt: new Date().toISOString(),
          error: signal.aborted ? null : (error as Error).message,
        }),
      );
      throw error;
    }
  });
  recorded = registry.put({ ...record, jobId: job.jobId });
  void recorded.then(announce, () => undefined);
  return { job, recorded };
}
