import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { augmentPatch, type AugmentRecord } from '../../../../../src-main/core/sampling/augment/pipeline.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { resizePatch } from '../../../../../src-main/core/sampling/resize.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { startSiblingWorker } from '../../../../../src-main/core/util/worker-url.js';
import { CMU_SMALL, readSlideRegion, sameBytes } from '../fixture-patch.js';

describe('resize and augmentation in a worker thread', () => {
  it('give the same patch and record as on the main thread for the same seed', async () => {
    const footprint = await readSlideRegion(CMU_SMALL, 700, 2000, 300, 300);
    const worker = startSiblingWorker(import.meta.url, './augment-worker.fixture', {
      workerData: { footprint, seed: 31 },
    });
    try {
      const [fromWorker] = (await once(worker, 'message')) as [{ image: PatchImage; record: AugmentRecord }];
      const here = augmentPatch(await resizePatch(footprint, 256, 256), new Rng(31), { probability: 1 });
      expect(fromWorker.record).toEqual(here.record);
      expect(sameBytes(fromWorker.image.data, here.image.data)).toBe(true);
    } finally {
      await worker.terminate();
    }
  });
});
