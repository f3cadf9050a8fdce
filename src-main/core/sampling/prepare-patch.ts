import { openSlide, SlideError, type RasterImage, type Slide, type SlideCache } from '../slide/index.js';
import { Rng } from '../util/rng.js';
import { augmentPatch } from './augment/pipeline.js';
import { ownedArrayBuffer, type PatchJob, type PatchJobResult } from './patch-job.js';
import type { PatchImage } from './patch-image.js';
import { resizePatch } from './resize.js';

/** Pixels outside the slide are composited on white (never black: the original tool's flaw). */
const WHITE: readonly [number, number, number] = [255, 255, 255];

/** Slide errors that say something about the slide (counted against it); others are our bugs. */
const SLIDE_FAULTS = new Set(['NOT_FOUND', 'NOT_A_FILE', 'UNSUPPORTED_FORMAT', 'READ_FAILED', 'CLOSED']);

/** Where a worker reads slides: its own handle cache, and fresh private handles for retries. */
export interface PreparePatchDeps {
  readonly slides: SlideCache;
  readonly openPrivate?: (path: string) => Promise<Slide>;
}

/**
 * The pixel work of one patch: read the footprint (RGB over white), resize it to the patch size with the
 * exact ratio, augment it with the patch's own seed. Never throws: failures come back as values, tagged
 * 'slide' when the slide is at fault (the stream counts them and draws elsewhere), 'internal' otherwise.
 */
export async function preparePatch(job: PatchJob, deps: PreparePatchDeps): Promise<PatchJobResult> {
  let raster: RasterImage;
  try {
    raster = await readFootprint(job, deps);
  } catch (error) {
    const code = error instanceof SlideError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, kind: SLIDE_FAULTS.has(code) ? 'slide' : 'internal', code, message };
  }
  try {
    let image: PatchImage = { width: raster.width, height: raster.height, data: raster.data };
    if (image.width !== job.patchSize || image.height !== job.patchSize) {
      image = await resizePatch(image, job.patchSize, job.patchSize);
    }
    let augmentation = null;
    if (job.augmentProbability > 0) {
      const result = augmentPatch(image, new Rng(job.patchSeed), { probability: job.augmentProbability });
      image = result.image;
      if (result.record.applied) augmentation = result.record;
    }
    return { ok: true, pixels: ownedArrayBuffer(image.data), augmentation };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { ok: false, kind: 'internal', code: 'INTERNAL', message: `${job.slidePath}: ${message}` };
  }
}

/**
 * Reads the footprint through the cached handle. On failure the handle is dropped and the read is
 * retried once on a private, fresh handle: OpenSlide errors latch per handle, so a read that merely
 * shared a handle with a failing one must not be blamed. Only a read that fails on its own counts.
 */
async function readFootprint(job: PatchJob, deps: PreparePatchDeps): Promise<RasterImage> {
  const read = (slide: Slide): Promise<RasterImage> =>
    slide.readRegion(job.level0X, job.level0Y, job.level, job.readSizePx, job.readSizePx, {
      format: 'rgb',
      background: WHITE,
    });
  try {
    return await read(await deps.slides.acquire(job.slidePath));
  } catch (first) {
    deps.slides.invalidate(job.slidePath);
    if (!(first instanceof SlideError) || (first.code !== 'READ_FAILED' && first.code !== 'CLOSED'))
      throw first;
    const slide = await (deps.openPrivate ?? ((path: string) => openSlide(path)))(job.slidePath);
    try {
      return await read(slide);
    } finally {
      slide.close();
    }
  }
}
