import type { TissueMaskParameters } from '../../tissue/tissue-mask.js';
import type { SlideCatalog } from '../../dataset/catalog.js';
import { startDatasetSampler } from '../../sampling/dataset-sampler.js';
import type { PatchImage } from '../../sampling/patch-image.js';
import type { PatchSamplerOptions } from '../../sampling/options.js';
import type { PatchWorkerPool } from '../../sampling/worker-pool.js';

export interface RealPatchOptions {
  /** The slides by domain (held-out slides for a CycleGAN, the training slides for a ProGAN). */
  readonly catalog: SlideCatalog;
  /** Mask cache folder. */
  readonly cacheDir: string;
  /** The caller's patch worker pool (left open). */
  readonly pool: PatchWorkerPool;
  /** Patch size, field of view (downsample or mpp) and seed; no augmentation is applied. */
  readonly sampler: Readonly<Pick<PatchSamplerOptions, 'patchSize' | 'downsample' | 'mpp' | 'seed'>>;
  /** Patches per domain. */
  readonly count: number;
  /** Mask parameters per domain name (the domain's detector, SPEC 1.9); default the original tool's. */
  readonly domainMaskParameters?: Readonly<Record<string, TissueMaskParameters>>;
  /** Told about each slide the sampler leaves out (unreadable, no tissue), with the reason. */
  readonly onExcluded?: (message: string) => void;
}

/**
 * Real patches per domain from the patch sampler (tissue locations, the dataset's field of view,
 * unaugmented): the reference sets of the sliced Wasserstein distance and the inputs of the cycle error.
 */
export async function sampleRealPatches(
  options: Readonly<RealPatchOptions>,
): Promise<Map<string, PatchImage[]>> {
  const running = startDatasetSampler({
    catalog: options.catalog,
    cacheDir: options.cacheDir,
    pool: options.pool,
    ...(options.domainMaskParameters && { domainMaskParameters: options.domainMaskParameters }),
    sampler: { ...options.sampler, augment: 0, float32: false, batchSize: Math.min(32, options.count) },
    statsIntervalMs: 0,
  });
  const out = new Map<string, PatchImage[]>();
  try {
    running.sampler.on('slide-excluded', (e) => options.onExcluded?.(e.message));
    for (const domain of running.sampler.domains) {
      const patches: PatchImage[] = [];
      while (patches.length < options.count) {
        const batch = await running.sampler
          .stream(domain)
          .nextBatch(Math.min(32, options.count - patches.length));
        if (batch === null)
          throw new Error(`The sampler stopped before ${options.count} patches of '${domain}'`);
        const size = batch.patchSize;
        const stride = size * size * 3;
        for (let i = 0; i < batch.count; i++) {
          patches.push({ width: size, height: size, data: batch.pixels.slice(i * stride, (i + 1) * stride) });
        }
      }
      out.set(domain, patches);
    }
  } finally {
    await running.close();
  }
  return out;
}
