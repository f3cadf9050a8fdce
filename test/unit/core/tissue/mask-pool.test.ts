import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildMasks, type MaskPoolEvent } from '../../../../src-main/core/tissue/mask-pool.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { resolveTissueMaskParameters } from '../../../../src-main/core/tissue/tissue-mask.js';
import { fixtureSlide } from './fixtures.js';

const params = resolveTissueMaskParameters();
const slides = [
  fixtureSlide('cmu-1-small-region.svs'),
  fixtureSlide('tcga-cr-7395-ts1.svs'),
  fixtureSlide('bad/unreadable.svs'),
  fixtureSlide('bracs-1640-crop.tiff'),
];

describe('mask pool', () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'histo-fetch-pool-'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('builds a dataset on worker threads with progress events, then reuses every mask', async () => {
    const events: MaskPoolEvent[] = [];
    const job = buildMasks(slides, { cacheDir, params, workers: 2 }, (e) => events.push(e));
    const streamed: string[] = [];
    for await (const report of job.results()) streamed.push(report.path);
    const summary = await job.done;
    expect(summary).toMatchObject({ cancelled: false, workers: 2 });
    expect(summary.reports.map((r) => r.path)).toEqual(slides);
    expect(streamed.sort()).toEqual([...slides].sort());
    expect(summary.reports.map((r) => r.outcome)).toEqual(['ok', 'ok', 'unreadable', 'ok']);
    expect(events.filter((e) => e.type === 'started').length).toBe(4);
    expect(
      events
        .filter((e) => e.type === 'done')
        .map((e) => e.path)
        .sort(),
    ).toEqual([slides[0], slides[1], slides[3]].sort());
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.path).toBe(slides[2]);
    expect(events.at(-1)).toMatchObject({ finished: 4, total: 4 });

    const again: MaskPoolEvent[] = [];
    const second = await buildMasks(slides, { cacheDir, params, workers: 2 }, (e) => again.push(e)).done;
    expect(again.filter((e) => e.type === 'cached').length).toBe(3);
    expect(again.filter((e) => e.type === 'done').length).toBe(0);
    expect(second.reports.map((r) => r.metadata?.maskSha256)).toEqual(
      summary.reports.map((r) => r.metadata?.maskSha256),
    );
  });

  it('runs libvips on one thread per worker while it builds, and puts the process setting back', async () => {
    const before = sharp.concurrency();
    sharp.concurrency(3);
    try {
      const during: number[] = [];
      const job = buildMasks(slides.slice(0, 2), { cacheDir, params, workers: 2 }, (e) => {
        if (e.type === 'done') during.push(sharp.concurrency());
      });
      await job.done;
      // libvips' thread count is global to the process, so the main thread sees the workers' setting.
      expect(during).toEqual([1, 1]);
      expect(sharp.concurrency()).toBe(3);
    } finally {
      sharp.concurrency(before);
    }
  });

  it('deletes the temporary files killed builders left, over an hour old, when it starts', async () => {
    const masks = join(cacheDir, 'masks');
    const thumbs = join(cacheDir, 'thumbs');
    await mkdir(masks);
    await mkdir(thumbs);
    const stale = [join(masks, '.a.png.1-0-00000000.partial'), join(thumbs, '.a.jpg.1-0-00000001.partial')];
    const fresh = join(masks, '.b.json.1-0-00000002.partial');
    for (const path of [...stale, fresh]) await writeFile(path, 'torn');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const path of stale) await utimes(path, twoHoursAgo, twoHoursAgo);
    await buildMasks([slides[3]!], { cacheDir, params, workers: 1 }).done;
    expect((await readdir(masks)).filter((n) => n.endsWith('.partial'))).toEqual([
      '.b.json.1-0-00000002.partial',
    ]);
    expect((await readdir(thumbs)).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('hands out each slide’s report as soon as it is ready', async () => {
    const job = buildMasks(slides, { cacheDir, params, workers: 1 });
    const first = await job.reportFor(slides[0]!);
    expect(first?.outcome).toBe('ok');
    await expect(job.reportFor('/not/in/this/build.svs')).rejects.toThrow(/not one of the slides/);
    await job.done;
  });

  it('resolves when cancelled, keeping the masks finished so far', async () => {
    const job = buildMasks(slides, { cacheDir, params, workers: 1 });
    await job.reportFor(slides[0]!);
    await job.cancel();
    const summary = await job.done;
    expect(summary.cancelled).toBe(true);
    expect(summary.reports[0]!.path).toBe(slides[0]);
    expect(summary.reports.length).toBeLessThan(slides.length);
    expect(await job.reportFor(slides[3]!)).toBeNull();
    expect((await new MaskCache({ cacheDir }).read(summary.reports[0]!.quickhash!, params)).status).toBe(
      'hit',
    );
  });

  it('lets two builds of the same slide race and leaves one valid mask', async () => {
    const [a, b] = await Promise.all([
      buildMasks([slides[1]!], { cacheDir, params, workers: 1 }).done,
      buildMasks([slides[1]!], { cacheDir, params, workers: 1 }).done,
    ]);
    expect(a.reports[0]!.outcome).toBe('ok');
    expect(b.reports[0]!.outcome).toBe('ok');
    const names = await readdir(join(cacheDir, 'masks'));
    expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.png')).length).toBe(1);
    const lookup = await new MaskCache({ cacheDir }).read(a.reports[0]!.quickhash!, params);
    expect(lookup.status).toBe('hit');
  });

  it('finishes at once for an empty list and rejects a bad worker count', async () => {
    const summary = await buildMasks([], { cacheDir, params }).done;
    expect(summary).toMatchObject({ reports: [], cancelled: false });
    expect(() => buildMasks(slides, { cacheDir, params, workers: 0 })).toThrow(
      /positive integer worker count/,
    );
  });

  it('builds each slide with its own parameters in one pool, the same slide once per detector', async () => {
    const saturation = resolveTissueMaskParameters({ detector: 'saturation' });
    const dapi = fixtureSlide('ndpi-dapi.ndpi');
    const events: MaskPoolEvent[] = [];
    const job = buildMasks(
      [
        { path: slides[0]!, params },
        { path: dapi, params: saturation },
        { path: slides[0]!, params: saturation },
        { path: dapi, params: saturation },
      ],
      { cacheDir, workers: 2 },
      (e) => events.push(e),
    );
    await expect(job.reportFor(slides[0]!)).rejects.toThrow(/2 parameter sets here: name the parameters/);
    expect((await job.reportFor(dapi))?.metadata?.detector).toBe('saturation');
    const summary = await job.done;
    expect(summary.reports.map((r) => [r.path, r.metadata?.detector])).toEqual([
      [slides[0], 'otsu-red'],
      [dapi, 'saturation'],
      [slides[0], 'saturation'],
    ]);
    expect((await job.reportFor(slides[0]!, saturation))?.metadata?.detector).toBe('saturation');
    const finished = events.filter((e) => e.type !== 'started');
    expect(finished.map((e) => e.params.detector === e.report.metadata?.detector)).toEqual([
      true,
      true,
      true,
    ]);
    expect(events.at(-1)).toMatchObject({ finished: 3, total: 3 });
    // Two masks of one slide side by side in the cache, each keyed by its parameters.
    const cache = new MaskCache({ cacheDir });
    const quickhash = summary.reports[0]!.quickhash!;
    expect((await cache.read(quickhash, params)).status).toBe('hit');
    expect((await cache.read(quickhash, saturation)).status).toBe('hit');
    expect(summary.reports[0]!.metadata!.tissueFraction).not.toBe(
      summary.reports[2]!.metadata!.tissueFraction,
    );
  });

  it('writes overlays of each thumbnail with its mask outline', async () => {
    const overlayDir = join(cacheDir, 'overlays');
    await buildMasks([slides[0]!], { cacheDir, params, workers: 1, overlayDir }).done;
    const [name] = await readdir(overlayDir);
    expect(name).toBe('cmu-1-small-region.svs.6335ea0e6cc5.png');
    const { data, info } = await sharp(join(overlayDir, name!)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1496, 2000]);
    let green = 0;
    for (let i = 0; i < data.length; i += info.channels)
      if (data[i] === 0 && data[i + 1] === 255 && data[i + 2] === 0) green++;
    expect(green).toBeGreaterThan(1000);
  });
});
