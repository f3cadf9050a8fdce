import type { SlideCatalog } from '../dataset/catalog.js';
import { openSlide } from '../slide/index.js';
import { loadTissueIndex } from '../tissue/load-tissue-index.js';
import { MaskCache } from '../tissue/mask-cache.js';
import type { MaskBuildJob, MaskPoolEvent } from '../tissue/mask-pool.js';
import type { EmptyMaskPolicy } from '../tissue/tissue-index.js';
import { resolveTissueMaskParameters, type TissueMaskParameters } from '../tissue/tissue-mask.js';
import type { ManifestWriter } from './manifest.js';
import { samplerDatasetFromMasks } from './mask-dataset.js';
import { startMaskSource } from './mask-source.js';
import type { PatchSamplerOptions } from './options.js';
import { PatchSampler, type SamplerState } from './patch-sampler.js';
import type { PatchProvenance } from './provenance.js';
import type { PatchWorkerPool } from './worker-pool.js';

export interface DatasetSamplerOptions {
  /** The dataset's slides by domain. */
  readonly catalog: SlideCatalog;
  /** Mask cache folder (masks are built there, or read when cached). */
  readonly cacheDir: string;
  /** Mask parameters (default: the original tool's). */
  readonly maskParameters?: TissueMaskParameters;
  /** Mask parameters of particular domains (by name), e.g. a fluorescence domain's detector (SPEC 1.9). */
  readonly domainMaskParameters?: Readonly<Record<string, TissueMaskParameters>>;
  /** Mask builder threads (default: one per core). */
  readonly maskWorkers?: number;
  /** Slides whose mask is empty: left out (default) or sampled uniformly (SPEC 1.8). */
  readonly emptyMasks?: EmptyMaskPolicy;
  /** Mask build progress (`mask.progress`). */
  readonly onMaskEvent?: (event: MaskPoolEvent) => void;
  /** The patch worker pool (kept by the caller, usually for the application's lifetime). */
  readonly pool: PatchWorkerPool;
  readonly sampler: Readonly<PatchSamplerOptions>;
  readonly manifest?: ManifestWriter<PatchProvenance> | null;
  readonly restore?: SamplerState | null;
  readonly statsIntervalMs?: number;
}

/** A sampler fed by a running mask build; `close()` stops both (the pool stays open). */
export interface DatasetSampler {
  readonly sampler: PatchSampler;
  /** The build of the masks the cache lacked; null when every mask was cached. */
  readonly masks: Promise<MaskBuildJob | null>;
  close(): Promise<void>;
}

/**
 * Starts the masks of a dataset (cache hits read on this thread at once, the others built by mask worker
 * threads) and a patch sampler fed by them as they arrive: the one call the CLI and the benchmarks need.
 */
export function startDatasetSampler(options: Readonly<DatasetSamplerOptions>): DatasetSampler {
  const cache = new MaskCache({ cacheDir: options.cacheDir });
  const params = options.maskParameters ?? resolveTissueMaskParameters();
  const masks = startMaskSource(
    options.catalog.domains.flatMap((d) =>
      d.slides.map((slide) => ({ slide, params: options.domainMaskParameters?.[d.name] ?? params })),
    ),
    {
      cache,
      ...(options.maskWorkers !== undefined ? { workers: options.maskWorkers } : {}),
      ...(options.onMaskEvent !== undefined ? { onEvent: options.onMaskEvent } : {}),
    },
  );
  const dataset = samplerDatasetFromMasks({
    catalog: options.catalog,
    masks: masks.reports,
    loadIndex: (report) => loadTissueIndex(report, cache, options.emptyMasks ?? 'exclude'),
    openSlide: (path) => openSlide(path),
  });
  let sampler: PatchSampler;
  try {
    sampler = new PatchSampler(dataset, options.sampler, {
      runJob: (job, urgent) => options.pool.run(job, urgent),
      inFlight: () => options.pool.inFlight,
      manifest: options.manifest ?? null,
      restore: options.restore ?? null,
      ...(options.statsIntervalMs !== undefined ? { statsIntervalMs: options.statsIntervalMs } : {}),
    });
  } catch (error) {
    void masks.cancel();
    throw error;
  }
  return {
    sampler,
    masks: masks.build,
    close: async () => {
      sampler.close();
      await masks.cancel();
    },
  };
}
