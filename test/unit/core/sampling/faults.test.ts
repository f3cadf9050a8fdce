import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { SamplerError } from '../../../../src-main/core/sampling/errors.js';
import { PatchSampler, type SamplerDataset } from '../../../../src-main/core/sampling/patch-sampler.js';
import type { ExcludedSlide, SlideFailure } from '../../../../src-main/core/sampling/sequencer.js';
import type { PatchProvenance } from '../../../../src-main/core/sampling/provenance.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { PatchWorkerPool } from '../../../../src-main/core/sampling/worker-pool.js';
import { datasetOf, slidePath, tempDir, tissueOf } from './fixtures.js';

const UNREADABLE = slidePath('bad/unreadable.svs');
const UNOPENABLE = slidePath('bad/unopenable.tiff');
const CMU = slidePath('cmu-1-small-region.svs');
const BRACS = slidePath('bracs-1640-crop.tiff');

const cache = tempDir('sampling-faults-');
let pool: PatchWorkerPool;
beforeAll(() => {
  pool = new PatchWorkerPool({ workers: 2, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: 4 });
});
afterAll(async () => {
  await pool.close();
  cache.done();
});

function watch(sampler: PatchSampler): { excluded: ExcludedSlide[]; failures: SlideFailure[] } {
  const seen = { excluded: [] as ExcludedSlide[], failures: [] as SlideFailure[] };
  sampler.on('slide-excluded', (e) => seen.excluded.push(e));
  sampler.on('slide-failure', (f) => seen.failures.push(f));
  return seen;
}

async function takePatches(
  sampler: PatchSampler,
  domain: string,
  batches: number,
): Promise<PatchProvenance[]> {
  const out: PatchProvenance[] = [];
  for (let i = 0; i < batches; i++) out.push(...(await sampler.stream(domain).nextBatch())!.provenance);
  return out;
}

/**
 * CMU and BRACS, plus bad/unreadable.svs made drawable. That file is tiny.svs with two bytes of JPEG data
 * corrupted: it opens, but every read fails. It gets the mask of tiny.svs (same 16x16 geometry), so the
 * sampler draws from it and has to read it: a slide failing mid-run.
 */
async function datasetWithFailingSlide(): Promise<SamplerDataset> {
  const good = await datasetOf({ 'H&E': [CMU, BRACS] }, cache.path);
  const { index } = await tissueOf(slidePath('tiny.svs'), cache.path);
  const bad = await openSlide(UNREADABLE);
  const badInfo = bad.info;
  bad.close();
  const dataset: SamplerDataset = {
    domains: [{ name: 'H&E', slidePaths: [CMU, UNREADABLE, BRACS] }],
    reports: (async function* () {
      yield* good.reports;
      yield {
        domain: 'H&E',
        path: UNREADABLE,
        usable: true as const,
        tissue: index,
        quickhash: badInfo.quickhash,
        levels: badInfo.levels,
        mppX: badInfo.mppX,
      };
    })(),
  };
  return dataset;
}

const OPTIONS = { patchSize: 32, downsample: 2, batchSize: 8, lookahead: 16, seed: 3, float32: false };

describe('faulty slides', () => {
  it('excludes slides whose masks cannot be built, names them, and samples the others', async () => {
    const dataset = await datasetOf({ 'H&E': [CMU, UNREADABLE, UNOPENABLE, BRACS] }, cache.path);
    const sampler = new PatchSampler(dataset, OPTIONS, {
      runJob: (j, urgent) => pool.run(j, urgent),
      statsIntervalMs: 0,
    });
    const seen = watch(sampler);
    const patches = await takePatches(sampler, 'H&E', 4);
    sampler.close();
    expect(new Set(patches.map((p) => p.slidePath))).toEqual(new Set([CMU, BRACS]));
    expect(seen.excluded.map((e) => e.path).sort()).toEqual([UNOPENABLE, UNREADABLE].sort());
    for (const e of seen.excluded) {
      expect(e.code).toBe('UNREADABLE');
      expect(e.message).toContain(e.path.split('/').pop()!);
    }
    expect(sampler.stats().excludedSlides).toHaveLength(2);
  });

  it('counts read errors of a slide that fails mid-run, excludes it after the threshold, and goes on', async () => {
    const dataset = await datasetWithFailingSlide();
    const sampler = new PatchSampler(
      dataset,
      { ...OPTIONS, maxSlideFailures: 3 },
      {
        runJob: (j, urgent) => pool.run(j, urgent),
        statsIntervalMs: 0,
      },
    );
    const seen = watch(sampler);
    const patches = await takePatches(sampler, 'H&E', 6);
    const stats = sampler.stats();
    sampler.close();
    expect(patches).toHaveLength(48);
    expect(patches.some((p) => p.slidePath === UNREADABLE)).toBe(false);
    expect(new Set(patches.map((p) => p.slidePath))).toEqual(new Set([CMU, BRACS]));
    // Positions stay consecutive: failed ones were replaced, never skipped or filled with a dummy.
    expect(patches.map((p) => p.sampleIndex)).toEqual(patches.map((_, i) => i));
    expect(seen.failures.map((f) => f.failures)).toEqual([1, 2, 3]);
    expect(seen.failures.every((f) => f.path === UNREADABLE && f.code === 'READ_FAILED')).toBe(true);
    expect(seen.excluded).toHaveLength(1);
    expect(seen.excluded[0]!.path).toBe(UNREADABLE);
    expect(seen.excluded[0]!.message).toMatch(/Bogus marker length.*slide excluded/);
    // Every failed read is counted (plans already in flight when the slide was excluded fail too).
    expect(stats.errors).toBeGreaterThanOrEqual(3);
    expect(stats.slides[UNREADABLE]).toEqual({ domain: 'H&E', patches: 0, errors: stats.errors });
  });

  it('counts location draws with too little tissue as errors of the slide in the statistics', async () => {
    const sampler = new PatchSampler(
      await datasetOf({ 'H&E': [CMU, BRACS] }, cache.path),
      { ...OPTIONS, minTissueFraction: 0.95, maxLocationRedraws: 0, maxSlideFailures: 1000 },
      { runJob: (j, urgent) => pool.run(j, urgent), statsIntervalMs: 0 },
    );
    const seen = watch(sampler);
    const patches = await takePatches(sampler, 'H&E', 4);
    const stats = sampler.stats();
    sampler.close();
    expect(patches.every((p) => p.tissueFraction >= 0.95)).toBe(true);
    const tissueFailures = seen.failures.filter((f) => f.code === 'TOO_LITTLE_TISSUE');
    expect(tissueFailures.length).toBeGreaterThan(0);
    expect(seen.failures).toHaveLength(tissueFailures.length); // no read errors here
    expect(stats.errors).toBe(tissueFailures.length);
    for (const path of [CMU, BRACS]) {
      const own = tissueFailures.filter((f) => f.path === path).length;
      expect(stats.slides[path]?.errors ?? 0).toBe(own);
    }
  });

  it('keeps the sequence independent of worker count and timing when a slide fails mid-run', async () => {
    // Each run gets its own worker count and its own seeded random delays on every result, so results
    // (failures included) arrive in very different orders; the sequence must not change.
    const single = new PatchWorkerPool({ workers: 1, concurrencyPerWorker: 1, maxOpenSlidesPerWorker: 4 });
    try {
      const runs: PatchProvenance[][] = [];
      for (const [p, delaySeed] of [
        [single, 1],
        [pool, 2],
        [pool, 3],
      ] as const) {
        const delays = new Rng(delaySeed);
        const sampler = new PatchSampler(
          await datasetWithFailingSlide(),
          { ...OPTIONS, lookahead: 24 },
          {
            runJob: async (j, urgent) => {
              const result = await p.run(j, urgent);
              await new Promise((r) => setTimeout(r, delays.int(15)));
              return result;
            },
            statsIntervalMs: 0,
          },
        );
        runs.push(await takePatches(sampler, 'H&E', 8));
        sampler.close();
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    } finally {
      await single.close();
    }
  });

  it('ends a domain whose only slide fails every read mid-run with DOMAIN_EXHAUSTED, naming the slide once', async () => {
    // bad/unreadable.svs opens and gets a mask (tiny.svs's, same geometry), so it is admitted and drawn;
    // every read then fails, the slide is excluded after three failures, and nothing is left to draw.
    const { index } = await tissueOf(slidePath('tiny.svs'), cache.path);
    const bad = await openSlide(UNREADABLE);
    const info = bad.info;
    bad.close();
    const dataset: SamplerDataset = {
      domains: [
        { name: 'good', slidePaths: [CMU] },
        { name: 'bad', slidePaths: [UNREADABLE] },
      ],
      reports: (async function* () {
        yield* (await datasetOf({ good: [CMU] }, cache.path)).reports;
        yield {
          domain: 'bad',
          path: UNREADABLE,
          usable: true as const,
          tissue: index,
          quickhash: info.quickhash,
          levels: info.levels,
          mppX: info.mppX,
        };
      })(),
    };
    const sampler = new PatchSampler(dataset, OPTIONS, {
      runJob: (j, urgent) => pool.run(j, urgent),
      statsIntervalMs: 0,
    });
    const seen = watch(sampler);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timed out'), 10_000));
    const failure = await Promise.race([
      sampler
        .stream('bad')
        .nextBatch()
        .then(
          () => 'delivered',
          (e: unknown) => e,
        ),
      timeout,
    ]);
    expect(failure).toBeInstanceOf(SamplerError);
    const error = failure as SamplerError;
    expect(error.code).toBe('DOMAIN_EXHAUSTED');
    expect(error.message).toMatch(/^Domain 'bad' has no slide left to sample; excluded:\n/);
    expect(error.message).toMatch(/Bogus marker length.*failed 3 times; slide excluded/);
    expect(error.message.split(UNREADABLE)).toHaveLength(2); // the path, once
    expect(seen.failures.map((f) => f.failures)).toEqual([1, 2, 3]);
    for (const f of seen.failures) expect(f.message.split(UNREADABLE)).toHaveLength(2);
    expect(seen.excluded.map((e) => e.path)).toEqual([UNREADABLE]);
    expect(seen.excluded[0]!.message.split(UNREADABLE)).toHaveLength(2);
    // Later requests fail the same way at once; the other domain is untouched.
    await expect(sampler.stream('bad').nextBatch()).rejects.toBe(error);
    expect((await sampler.stream('good').nextBatch())!.count).toBe(8);
    sampler.close();
  });

  it('ends a domain whose slides are all gone with an error naming it, while the other domain goes on', async () => {
    const dataset = await datasetOf({ good: [CMU], bad: [UNREADABLE, UNOPENABLE] }, cache.path);
    const sampler = new PatchSampler(dataset, OPTIONS, {
      runJob: (j, urgent) => pool.run(j, urgent),
      statsIntervalMs: 0,
    });
    const errors: string[] = [];
    sampler.on('stream-error', (e) => errors.push(e.domain));
    const failure = await sampler
      .stream('bad')
      .nextBatch()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(SamplerError);
    expect((failure as SamplerError).code).toBe('DOMAIN_EXHAUSTED');
    expect((failure as SamplerError).message).toMatch(/Domain 'bad' has no slide left/);
    expect((failure as SamplerError).message).toContain('unreadable.svs');
    expect(errors).toEqual(['bad']);
    expect((await sampler.stream('good').nextBatch())!.count).toBe(8);
    sampler.close();
  });
});
