import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ManifestWriter, readManifest } from '../../../../src-main/core/sampling/manifest.js';
import { PatchSampler, type SamplerDataset } from '../../../../src-main/core/sampling/patch-sampler.js';
import type { PatchProvenance } from '../../../../src-main/core/sampling/provenance.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import type { SamplerStatsSnapshot } from '../../../../src-main/core/sampling/stats.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { PatchWorkerPool } from '../../../../src-main/core/sampling/worker-pool.js';
import { meanAbsDiff } from './fixture-patch.js';
import { datasetOf, slidePath, tempDir } from './fixtures.js';

const SLIDES = ['cmu-1-small-region.svs', 'ndpi-dapi.ndpi', 'bracs-1640-crop.tiff'].map(slidePath);
const cache = tempDir('sampling-stream-');
let pool: PatchWorkerPool;
beforeAll(() => {
  pool = new PatchWorkerPool({ workers: 2, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: 4 });
});
afterAll(async () => {
  await pool.close();
  cache.done();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('patch stream', () => {
  it('delivers Float32 NHWC batches in [-1, 1] that match the 8-bit pixels, with provenance', async () => {
    const sampler = new PatchSampler(
      await datasetOf({ 'H&E': SLIDES }, cache.path),
      { patchSize: 48, downsample: 3, batchSize: 4, seed: 1 },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const batch = (await sampler.stream('H&E').nextBatch())!;
    const odd = (await sampler.stream('H&E').nextBatch(3))!;
    sampler.close();
    expect(batch.count).toBe(4);
    expect(odd.count).toBe(3);
    expect(batch.pixels).toHaveLength(4 * 48 * 48 * 3);
    expect(batch.images).toHaveLength(4 * 48 * 48 * 3);
    for (let i = 0; i < batch.pixels.length; i++) {
      expect(batch.images![i]).toBeCloseTo(batch.pixels[i]! / 127.5 - 1, 6);
    }
    expect(Math.min(...batch.images!)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...batch.images!)).toBeLessThanOrEqual(1);
    expect(batch.provenance.map((p) => p.sampleIndex)).toEqual([0, 1, 2, 3]);
    expect(odd.provenance.map((p) => p.sampleIndex)).toEqual([4, 5, 6]);
    const p = batch.provenance[0]!;
    expect(p).toMatchObject({ domain: 'H&E', patchSize: 48, downsample: 3, seed: 1 });
    expect(p.level0Width).toBeCloseTo(p.readSizePx * p.levelDownsample, 9);
    expect(SLIDES).toContain(p.slidePath);
    expect(p.quickhash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('delivers for each patch the pixels its provenance names: footprint read at level 0 and resized', async () => {
    const sampler = new PatchSampler(
      await datasetOf({ 'H&E': SLIDES }, cache.path),
      { patchSize: 48, downsample: 3.7, batchSize: 12, seed: 8, float32: false },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const batch = (await sampler.stream('H&E').nextBatch())!;
    sampler.close();
    expect(new Set(batch.provenance.map((p) => p.slidePath))).toEqual(new Set(SLIDES));
    const stride = 48 * 48 * 3;
    for (let i = 0; i < batch.count; i++) {
      const p = batch.provenance[i]!;
      const slide = await openSlide(p.slidePath);
      try {
        const side = Math.round(p.level0Width);
        const raster = await slide.readRegion(p.level0X, p.level0Y, 0, side, side, {
          format: 'rgb',
          background: [255, 255, 255],
        });
        // The sampler's own resize (Lanczos-3): the reference differs only by where the pixels came from.
        const reference = await resizePatch({ width: side, height: side, data: raster.data }, 48, 48);
        const patch = batch.pixels.subarray(i * stride, (i + 1) * stride);
        const error = meanAbsDiff(patch, reference.data);
        expect(error, `patch ${i} of ${p.slidePath}`).toBeLessThan(5);
        // The footprint is centred on the drawn point (within the half level pixel of grid alignment),
        // unless it was shifted to stay inside the slide: then it lies against that edge.
        const { width, height } = slide.info.levels[0]!;
        const tolerance = p.levelDownsample / 2 + 0.5;
        for (const [start, size, centre, extent] of [
          [p.level0X, p.level0Width, p.centreLevel0X, width],
          [p.level0Y, p.level0Height, p.centreLevel0Y, height],
        ] as const) {
          const againstEdge = start === 0 || start + size >= extent - p.levelDownsample;
          if (!againstEdge) expect(Math.abs(start + size / 2 - centre)).toBeLessThanOrEqual(tolerance);
          else expect(Math.abs(start + size / 2 - centre)).toBeLessThanOrEqual(size / 2 + tolerance);
        }
      } finally {
        slide.close();
      }
    }
  });

  it('stops preparing when the consumer does not take (bounded queue), and resumes when it does', async () => {
    const sampler = new PatchSampler(
      await datasetOf({ 'H&E': SLIDES }, cache.path),
      {
        patchSize: 32,
        downsample: 2,
        batchSize: 8,
        prefetchBatches: 2,
        lookahead: 12,
        seed: 2,
        float32: false,
      },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    await sampler.stream('H&E').nextBatch();
    await sleep(400);
    const idle = sampler.stats();
    await sleep(300);
    const later = sampler.stats();
    expect(idle.queueDepth).toBe(16);
    expect(later.patchesPrepared).toBe(idle.patchesPrepared);
    // At most the first batch, the ready queue and the lookahead window were ever prepared.
    expect(later.patchesPrepared).toBeLessThanOrEqual(8 + 16 + 12);
    for (let i = 0; i < 5; i++) await sampler.stream('H&E').nextBatch();
    expect(sampler.stats().patchesDelivered).toBe(48);
    sampler.close();
  });

  it('reports live statistics as a snapshot and as an event', async () => {
    const snapshots: SamplerStatsSnapshot[] = [];
    const sampler = new PatchSampler(
      await datasetOf({ A: SLIDES.slice(0, 2), B: SLIDES.slice(2) }, cache.path),
      { patchSize: 32, downsample: 2, batchSize: 8, seed: 4, float32: false },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 50 },
    );
    sampler.on('stats', (s) => snapshots.push(s));
    for (let i = 0; i < 4; i++) {
      await sampler.stream('A').nextBatch();
      await sampler.stream('B').nextBatch();
    }
    await sleep(120);
    const stats = sampler.stats();
    sampler.close();
    expect(snapshots.length).toBeGreaterThan(0);
    expect(stats.patchesDelivered).toBe(64);
    expect(stats.patchesPrepared).toBeGreaterThanOrEqual(64);
    expect(stats.deliveredPerSecond).toBeGreaterThan(0);
    expect(stats.preparedPerSecond).toBeGreaterThan(0);
    expect(stats.consumerWaits).toBeGreaterThanOrEqual(1);
    expect(stats.consumerWaitMs).toBeGreaterThan(0);
    expect(Object.keys(stats.queueDepthByDomain).sort()).toEqual(['A', 'B']);
    const perSlide = Object.values(stats.slides);
    expect(perSlide.reduce((n, s) => n + s.patches, 0)).toBe(64);
    expect(stats.slides[SLIDES[2]!]).toMatchObject({ domain: 'B', patches: 32, errors: 0 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('keeps domains apart: B draws the same patches whether or not A was drawn from first', async () => {
    const open = async (): Promise<PatchSampler> =>
      new PatchSampler(
        await datasetOf({ A: SLIDES.slice(0, 2), B: SLIDES.slice(1) }, cache.path),
        { patchSize: 32, downsample: 2, batchSize: 8, seed: 9, augment: 0.5, float32: false },
        { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
      );
    const fresh = await open();
    const alone = (await fresh.stream('B').nextBatch())!.provenance;
    fresh.close();
    const busy = await open();
    const fromA: PatchProvenance[] = [];
    for (let i = 0; i < 5; i++) fromA.push(...(await busy.stream('A').nextBatch())!.provenance);
    const afterA = (await busy.stream('B').nextBatch())!.provenance;
    busy.close();
    expect(fromA).toHaveLength(40);
    expect(afterA).toEqual(alone);
    // B shares a slide with A, and still its locations are its own.
    expect(alone.some((p) => p.slidePath === SLIDES[1])).toBe(true);
  });

  it('appends every delivered patch to the manifest, in order', async () => {
    const dir = tempDir('sampling-manifest-');
    try {
      const path = join(dir.path, 'patches.jsonl');
      const manifest = new ManifestWriter<PatchProvenance>(path);
      const sampler = new PatchSampler(
        await datasetOf({ 'H&E': SLIDES }, cache.path),
        { patchSize: 32, downsample: 2, batchSize: 5, seed: 5, augment: 1, float32: false },
        { runJob: (j, urgent) => pool.run(j, urgent), manifest, statsIntervalMs: 0 },
      );
      const delivered: PatchProvenance[] = [];
      for (let i = 0; i < 3; i++) delivered.push(...(await sampler.stream('H&E').nextBatch())!.provenance);
      sampler.close();
      manifest.close();
      expect(readManifest<PatchProvenance>(path)).toEqual(delivered);
      expect(delivered.every((p) => p.augmentation?.applied === true)).toBe(true);
    } finally {
      dir.done();
    }
  });

  it('resolves a pending request with null when the sampler closes', async () => {
    const sampler = new PatchSampler(
      await datasetOf({ 'H&E': SLIDES }, cache.path),
      { patchSize: 32, downsample: 2, batchSize: 4096, seed: 6, float32: false },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const pending = sampler.stream('H&E').nextBatch();
    await sleep(50);
    sampler.close();
    expect(await pending).toBeNull();
    expect(await sampler.stream('H&E').nextBatch()).toBeNull();
  });
});

describe('start before every mask is ready', () => {
  /** The dataset's reports, the first one at once and the others only after `release()`. */
  async function gatedDataset(): Promise<{ dataset: SamplerDataset; release: () => void }> {
    const full = await datasetOf({ 'H&E': SLIDES }, cache.path);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reports = (async function* () {
      let first = true;
      for await (const report of full.reports) {
        yield report;
        if (first) await gate;
        first = false;
      }
    })();
    return { dataset: { domains: full.domains, reports }, release };
  }

  it('with startEarly, serves batches from the first slide with a mask, then admits the others', async () => {
    const { dataset, release } = await gatedDataset();
    const sampler = new PatchSampler(
      dataset,
      { patchSize: 32, downsample: 2, batchSize: 8, seed: 7, startEarly: true, float32: false },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const early = (await sampler.stream('H&E').nextBatch())!;
    expect(new Set(early.provenance.map((p) => p.slidePath))).toEqual(new Set([SLIDES[0]]));
    release();
    const later: PatchProvenance[] = [];
    for (let i = 0; i < 20; i++) later.push(...(await sampler.stream('H&E').nextBatch())!.provenance);
    sampler.close();
    expect(new Set(later.map((p) => p.slidePath))).toEqual(new Set(SLIDES));
  });

  it('without startEarly, waits for every mask outcome before the first batch', async () => {
    const { dataset, release } = await gatedDataset();
    const sampler = new PatchSampler(
      dataset,
      { patchSize: 32, downsample: 2, batchSize: 8, seed: 7, float32: false },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const first = sampler.stream('H&E').nextBatch();
    const raced = await Promise.race([first.then(() => 'batch'), sleep(500).then(() => 'waiting')]);
    expect(raced).toBe('waiting');
    release();
    expect((await first)!.count).toBe(8);
    sampler.close();
  });
});
