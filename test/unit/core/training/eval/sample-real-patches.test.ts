import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlideCatalog } from '../../../../../src-main/core/dataset/catalog.js';
import { validateDataset } from '../../../../../src-main/core/dataset/dataset.js';
import { PatchWorkerPool } from '../../../../../src-main/core/sampling/worker-pool.js';
import { openSlide } from '../../../../../src-main/core/slide/index.js';
import { sampleRealPatches } from '../../../../../src-main/core/training/eval/real-patches.js';

const SLIDES = join(import.meta.dirname, '../../../../fixtures/slides');
let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'histo-fetch-real-patches-'));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('sampleRealPatches', () => {
  it('draws the asked number of unaugmented tissue patches per domain from the sampler, seeded', async () => {
    const catalog = await buildSlideCatalog(
      validateDataset({ domains: [{ name: 'slides', folders: [SLIDES] }] }),
      {
        openSlide: (p) => openSlide(p),
      },
    );
    const pool = new PatchWorkerPool({ workers: 1 });
    try {
      const options = {
        catalog,
        cacheDir: cache,
        pool,
        sampler: { patchSize: 32, downsample: 4, seed: 3 },
        count: 40,
      };
      const first = await sampleRealPatches(options);
      const patches = first.get('slides')!;
      expect(patches).toHaveLength(40);
      expect(patches.every((p) => p.width === 32 && p.height === 32 && p.data.length === 32 * 32 * 3)).toBe(
        true,
      );
      const again = (await sampleRealPatches(options)).get('slides')!;
      expect(again.map((p) => Buffer.from(p.data).toString('base64'))).toEqual(
        patches.map((p) => Buffer.from(p.data).toString('base64')),
      );
    } finally {
      await pool.close();
    }
  });
});
