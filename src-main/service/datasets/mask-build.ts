import { rm } from 'node:fs/promises';
import type { JobInfo, MaskProgressEvent } from '../../contract/index.js';
import { buildMasks, type MaskCache } from '../../core/tissue/index.js';
import type { EventBus } from '../events.js';
import type { JobRegistry } from '../jobs.js';
import type { DomainRecord } from '../workspace/workspace.js';
import { maskParameters, type DatasetCatalog } from './dataset-catalog.js';
import { entryAfterBuild } from './slide-entry.js';

export interface MaskBuildDeps {
  readonly catalog: DatasetCatalog;
  readonly maskCache: MaskCache;
  readonly jobs: JobRegistry;
  readonly events: EventBus;
  /** Worker threads for the build (default: the core count). */
  readonly workers?: number;
}

/**
 * Starts the mask build of a domain as a job: every slide of its folders, in parallel on the tissue
 * layer's worker pool, cache hits included, with a `mask.progress` event per finished slide. With
 * `force`, the cached masks of these parameters are deleted first. A build already running for the
 * domain is returned as it is unless `force` asks for a new one.
 */
export async function startMaskBuild(
  deps: MaskBuildDeps,
  domain: DomainRecord,
  force: boolean,
): Promise<JobInfo> {
  const running = deps.jobs.find('masks', domain.id);
  if (running) {
    if (!force) return running;
    await deps.jobs.stop(running.jobId);
  }
  return deps.jobs.start('masks', domain.id, async ({ signal, jobId, progress }) => {
    const listing = await deps.catalog.slides(domain);
    const params = maskParameters(domain.detector);
    const slides = listing.entries.filter((entry) => entry.quickhash !== null);
    if (force) {
      for (const entry of slides) {
        const paths = deps.maskCache.maskPaths(entry.quickhash!, params);
        await Promise.all([rm(paths.json, { force: true }), rm(paths.png, { force: true })]);
      }
    }
    const counts = { done: 0, total: slides.length, failed: 0, fromCache: 0 };
    const emit = (slide: MaskProgressEvent['slide']): void => {
      deps.events.emit('mask.progress', { domainId: domain.id, jobId, ...counts, slide });
      progress(counts.total === 0 ? 1 : counts.done / counts.total);
    };
    emit(null);
    if (signal.aborted || slides.length === 0) return;
    const byPath = new Map(slides.map((entry) => [entry.path, entry]));
    const build = buildMasks(
      slides.map((entry) => entry.path),
      { cacheDir: deps.maskCache.cacheDir, params, ...(deps.workers ? { workers: deps.workers } : {}) },
      (event) => {
        const entry = byPath.get(event.path);
        if (!entry) return;
        if (event.type === 'started') {
          emit(deps.catalog.update(domain.id, { ...entry, status: 'building' }));
          return;
        }
        counts.done = event.finished;
        if (event.type === 'failed') counts.failed++;
        if (event.type === 'cached') counts.fromCache++;
        emit(deps.catalog.update(domain.id, entryAfterBuild(entry, event.report)));
      },
    );
    const cancel = (): void => void build.cancel();
    signal.addEventListener('abort', cancel);
    try {
      await build.done;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  });
}
