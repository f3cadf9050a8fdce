import { access } from 'node:fs/promises';
import type { DiscoveredSlide } from '../dataset/discovery.js';
import type { SlideMaskReport } from '../tissue/build-mask.js';
import type { MaskCache } from '../tissue/mask-cache.js';
import { buildMasks, type MaskBuildJob, type MaskPoolEvent } from '../tissue/mask-pool.js';
import type { TissueMaskParameters } from '../tissue/tissue-mask.js';

/** One slide of the dataset and the mask parameters of its domain. */
export interface MaskSourceRequest {
  readonly slide: DiscoveredSlide;
  readonly params: TissueMaskParameters;
}

export interface MaskSourceOptions {
  readonly cache: MaskCache;
  /** Mask builder threads for the masks the cache lacks (default: one per core). */
  readonly workers?: number;
  readonly onEvent?: (event: MaskPoolEvent) => void;
}

/** The masks of a dataset as they become ready: cached ones first, then those built. */
export interface MaskSource {
  /** Each slide's report exactly once. */
  readonly reports: AsyncIterable<SlideMaskReport>;
  /** The build of the masks the cache lacked; null when every mask was cached (or after a cancel). */
  readonly build: Promise<MaskBuildJob | null>;
  /** Stops the build, if any; finished masks stay cached. */
  cancel(): Promise<void>;
}

/**
 * Looks every mask up in the cache on this thread (the catalog already knows each slide's quickhash, so
 * nothing is opened), and starts mask worker threads only for the slides the cache lacks. A dataset whose
 * masks are all cached therefore starts no mask thread at all: on two cores, starting one (a module graph,
 * and tsx when running from source) used to delay the first batch by hundreds of milliseconds.
 */
export function startMaskSource(
  requests: readonly MaskSourceRequest[],
  options: Readonly<MaskSourceOptions>,
): MaskSource {
  let cancelled = false;
  const lookups = Promise.all(requests.map((r) => cachedReport(r, options.cache)));
  const build = lookups.then((hits) => {
    const misses = requests.filter((_, i) => hits[i] === null);
    if (misses.length === 0 || cancelled) return null;
    const found = requests.length - misses.length;
    return buildMasks(
      misses.map((r) => ({ path: r.slide.path, params: r.params })),
      {
        cacheDir: options.cache.cacheDir,
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
      },
      // Counts over the whole dataset, cache hits included.
      (event) => options.onEvent?.({ ...event, finished: event.finished + found, total: requests.length }),
    );
  });
  async function* reports(): AsyncGenerator<SlideMaskReport> {
    const hits = await lookups;
    let finished = 0;
    for (let i = 0; i < hits.length; i++) {
      const report = hits[i];
      if (report === null || report === undefined) continue;
      finished++;
      const { params } = requests[i]!;
      options.onEvent?.({
        type: 'cached',
        path: report.path,
        params,
        report,
        overlayError: null,
        finished,
        total: requests.length,
      });
      yield report;
    }
    const job = await build;
    if (job !== null) yield* job.results();
  }
  return {
    reports: reports(),
    build,
    cancel: async () => {
      cancelled = true;
      await (await build)?.cancel();
    },
  };
}

/** The report of a cache hit, as the mask pool gives it; null on a miss or an invalid entry. */
async function cachedReport(request: MaskSourceRequest, cache: MaskCache): Promise<SlideMaskReport | null> {
  const started = performance.now();
  const { path, quickhash } = request.slide;
  // A failed lookup is a miss: the mask pool then builds the mask, or reports why it cannot.
  const lookup = await cache.read(quickhash, request.params).catch(() => null);
  if (lookup?.status !== 'hit') return null;
  const thumbnailPath = cache.thumbnailPath(quickhash);
  const hasThumbnail = await access(thumbnailPath).then(
    () => true,
    () => false,
  );
  return {
    path,
    outcome: lookup.entry.metadata.outcome,
    fromCache: true,
    quickhash,
    error: null,
    metadata: lookup.entry.metadata,
    maskPath: lookup.entry.pngPath,
    thumbnailPath: hasThumbnail ? thumbnailPath : null,
    ms: performance.now() - started,
    replacedInvalid: null,
  };
}
