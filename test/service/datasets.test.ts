import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStateEvent, MaskProgressEvent } from '../../src-main/contract/index.js';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, slideWorkspace, startService } from './helpers.js';

/** Starts a domain's mask build and resolves when it has finished, with every progress event it sent. */
async function buildMasks(
  service: Service,
  domainId: string,
  force = false,
): Promise<{ progress: MaskProgressEvent[]; end: JobStateEvent }> {
  const progress: MaskProgressEvent[] = [];
  const ends: JobStateEvent[] = [];
  let jobId: string | null = null;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Subscribed before the call: the first events may come before the reply.
  const stop = service.subscribe((event) => {
    if (event.name === 'mask.progress' && event.payload.domainId === domainId) progress.push(event.payload);
    if (event.name === 'job.state' && ['done', 'failed', 'stopped'].includes(event.payload.job.state)) {
      ends.push(event.payload);
      if (event.payload.job.jobId === jobId) finish();
    }
  });
  const { job } = await callOk(service, 'datasets.rebuildMasks', { domainId, force });
  jobId = job.jobId;
  if (ends.some((e) => e.job.jobId === jobId)) finish();
  await finished;
  stop();
  return {
    progress: progress.filter((p) => p.jobId === jobId),
    end: ends.find((e) => e.job.jobId === jobId)!,
  };
}

describe('datasets: slide discovery and tissue masks on the real slides', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let he: string;

  beforeAll(async () => {
    ws = await slideWorkspace();
    service = await startService(ws.dir, [ws.root]);
    he = (await callOk(service, 'datasets.create', { name: 'H&E', folders: [ws.he] })).domain.id;
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it('lists every slide with vendor, size, levels and mpp, and the files that are not slides with the reason', async () => {
    const { slides, skipped } = await callOk(service, 'datasets.slides', { domainId: he });
    const byName = Object.fromEntries(slides.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual([
      'bracs-1640-crop.tiff',
      'cmu-1-small-region.svs',
      'tcga-cr-7395-ts1.svs',
      'unopenable.tiff',
      'unreadable.svs',
    ]);
    expect(byName['cmu-1-small-region.svs']).toMatchObject({
      vendor: 'aperio',
      widthPx: 2220,
      heightPx: 2967,
      levelCount: 1,
      status: 'pending',
      folder: ws.he,
      fileBytes: 1_938_955,
    });
    expect(byName['cmu-1-small-region.svs']!.mppX).toBeCloseTo(0.499, 3);
    expect(byName['tcga-cr-7395-ts1.svs']).toMatchObject({ levelCount: 2, mppX: null });
    expect(byName['unopenable.tiff']).toMatchObject({ status: 'unreadable', vendor: null });
    expect(byName['unopenable.tiff']!.error).toContain(join(ws.he, 'bad', 'unopenable.tiff'));
    expect(skipped).toEqual([]);
  });

  it('builds the masks with a progress event per slide, then reports each outcome', async () => {
    const { progress, end } = await buildMasks(service, he);
    expect(end.job.state).toBe('done');
    expect(progress[0]).toMatchObject({ done: 0, total: 4, slide: null });
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4, failed: 1, fromCache: 0 });
    expect(progress.some((p) => p.slide?.status === 'building')).toBe(true);
    const { slides } = await callOk(service, 'datasets.slides', { domainId: he });
    const byName = Object.fromEntries(slides.map((s) => [s.name, s]));
    expect(byName['cmu-1-small-region.svs']!.status).toBe('ready');
    expect(byName['cmu-1-small-region.svs']!.tissueFraction).toBeGreaterThan(0.05);
    expect(byName['cmu-1-small-region.svs']!.tissueFraction).toBeLessThan(0.95);
    expect(byName['tcga-cr-7395-ts1.svs']!.status).toBe('ready');
    expect(byName['unreadable.svs']).toMatchObject({ status: 'unreadable' });
    expect(byName['unreadable.svs']!.error).toContain(join(ws.he, 'bad', 'unreadable.svs'));
    const { domains } = await callOk(service, 'datasets.list', {});
    expect(domains[0]).toMatchObject({ slideCount: 5, readyCount: 3, unreadableCount: 2, job: null });
  });

  it('reuses cached masks, and rebuilds them all when forced', async () => {
    const cached = await buildMasks(service, he);
    expect(cached.progress.at(-1)).toMatchObject({ done: 4, fromCache: 3, failed: 1 });
    const rebuilt = await buildMasks(service, he, true);
    expect(rebuilt.progress.at(-1)).toMatchObject({ done: 4, fromCache: 0, failed: 1 });
  });

  it('serves the mask as an overlay the size of the mask, and its facts in the slide details', async () => {
    const path = join(ws.he, 'cmu-1-small-region.svs');
    const mask = await callOk(service, 'slides.mask', { path });
    expect(mask.detector).toBe('otsu-red');
    const meta = await sharp(mask.overlay.bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: mask.overlay.widthPx, height: mask.overlay.heightPx });
    expect(Math.max(mask.overlay.widthPx, mask.overlay.heightPx)).toBe(2000);
    const details = await callOk(service, 'slides.info', { path });
    expect(details.mask).toMatchObject({ detector: 'otsu-red', widthPx: 1496, heightPx: 2000 });
    expect(details.mask!.tissueFraction).toBeCloseTo(mask.tissueFraction, 12);
  });

  it('says NOT_READY for a mask not built, and re-reads statuses for another detector', async () => {
    const fluo = (await callOk(service, 'datasets.create', { name: 'DAPI', folders: [ws.fluorescence] }))
      .domain.id;
    const before = await callOk(service, 'datasets.slides', { domainId: fluo });
    expect(before.slides.map((s) => s.status)).toEqual(['pending', 'pending']);
    const notReady = await callError(service, 'slides.mask', {
      path: join(ws.fluorescence, 'ndpi-dapi.ndpi'),
    });
    expect(notReady.code).toBe('NOT_READY');
    await callOk(service, 'datasets.update', { domainId: he, detector: 'saturation' });
    const switched = await callOk(service, 'datasets.slides', { domainId: he });
    expect(switched.slides.find((s) => s.name === 'cmu-1-small-region.svs')!.status).toBe('pending');
    await callOk(service, 'datasets.update', { domainId: he, detector: 'otsu-red' });
    const back = await callOk(service, 'datasets.slides', { domainId: he });
    expect(back.slides.find((s) => s.name === 'cmu-1-small-region.svs')!.status).toBe('ready');
  });
});
