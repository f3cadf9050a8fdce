import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  TranslateRequest,
  TrainingConfig,
  TranslationProgressEvent,
} from '../../src-main/contract/index.js';
import { openSlide } from '../../src-main/core/slide/index.js';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, jobEnded, recorder, slideWorkspace, startService } from './helpers.js';

describe('inference through the service: translate with a tiny trained CycleGAN, generate with a ProGAN', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let events: ReturnType<typeof recorder>;
  let cycleRun: string;
  let heDomainId: string;
  let proganRun: string;
  let cmu: string;
  let runsDir: string;
  /** A translation small enough to finish in a second or two. */
  let small: TranslateRequest;

  beforeAll(async () => {
    ws = await slideWorkspace();
    runsDir = join(ws.dir, 'state', 'runs');
    service = await startService(ws.dir, [ws.root]);
    events = recorder(service);
    cmu = join(ws.he, 'cmu-1-small-region.svs');
    const he = (
      await callOk(service, 'datasets.create', { name: 'H&E', detector: 'saturation', folders: [ws.he] })
    ).domain.id;
    heDomainId = he;
    const dapi = (
      await callOk(service, 'datasets.create', {
        name: 'DAPI',
        detector: 'saturation',
        folders: [ws.fluorescence],
      })
    ).domain.id;
    const cyclegan = (await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' }))
      .config;
    const config: TrainingConfig = {
      ...cyclegan,
      domainIds: [he, dapi],
      steps: 4,
      sampleEverySteps: 0,
      checkpointEverySteps: 4,
      evaluateEverySteps: 2,
      evaluatePatchCount: 4,
      backend: 'cpu',
      seed: 3,
      runName: 'cycle',
    };
    cycleRun = (await callOk(service, 'training.start', { config })).runId;
    await events.until(jobEnded(cycleRun));
    const progan = (await callOk(service, 'training.defaults', { model: 'progan', preset: 'tiny' })).config;
    proganRun = (
      await callOk(service, 'training.start', {
        config: {
          ...progan,
          domainIds: [he],
          steps: 20,
          sampleEverySteps: 0,
          checkpointEverySteps: 20,
          backend: 'cpu',
          runName: 'progan',
        },
      })
    ).runId;
    await events.until(jobEnded(proganRun));
    small = {
      generator: { kind: 'run', runId: cycleRun, direction: 'AtoB' },
      slidePath: cmu,
      scale: { kind: 'downsample', downsample: 8 },
      tileSizePx: 64,
      overlapPx: 16,
      backend: 'cpu',
    };
  }, 300_000);
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it('logs the SWD and the cycle error with the metrics of evaluation steps, as eval.* series', async () => {
    const { series } = await callOk(service, 'runs.metrics', { runId: cycleRun });
    const names = series.map((s) => s.name);
    for (const name of ['eval.swdAB', 'eval.swdBA', 'eval.cycleErrorA', 'eval.cycleErrorB'])
      expect(names, name).toContain(name);
    expect(names.some((n) => /^eval\.swdAB@\d+$/.test(n))).toBe(true);
    const swd = series.find((s) => s.name === 'eval.swdAB')!;
    expect([...swd.steps]).toEqual([2, 4]);
    expect([...swd.values].every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const live = events.events.flatMap((e) =>
      e.name === 'training.metrics' && e.payload.runId === cycleRun ? e.payload.points : [],
    );
    expect(live.filter((p) => 'eval.cycleErrorA' in p.values).map((p) => p.step)).toEqual([2, 4]);
  });

  it('refuses slides, generators and output folders outside the allowed folders', async () => {
    const outsideSlide = await callError(service, 'inference.translate', {
      ...small,
      slidePath: join(ws.outside, 'tiny.svs'),
    });
    expect(outsideSlide.code).toBe('PATH_NOT_ALLOWED');
    const outsideExport = await callError(service, 'inference.translate', {
      ...small,
      generator: { kind: 'export', path: ws.outside },
    });
    expect(outsideExport.code).toBe('PATH_NOT_ALLOWED');
    await symlink(ws.outside, join(runsDir, 'escape'));
    const escapingRun = await callError(service, 'inference.translate', {
      ...small,
      generator: { kind: 'run', runId: 'escape', direction: 'AtoB' },
    });
    expect(escapingRun.code).toBe('PATH_NOT_ALLOWED');
    const outsideFolder = await callError(service, 'inference.translate', {
      ...small,
      outFolder: ws.outside,
    });
    expect(outsideFolder.code).toBe('PATH_NOT_ALLOWED');
    expect(outsideFolder.message).toContain(
      'is outside the runs folder and the folders this workbench may open',
    );
    // A folder the user may pick holds a slide of that name: never overwritten.
    const slideClash = await callError(service, 'inference.translate', {
      ...small,
      outFolder: ws.he,
      outName: 'bracs-1640-crop.tiff',
    });
    expect(slideClash.code).toBe('CONFLICT');
    expect(slideClash.message).toContain('was not written by this workbench');
  });

  it('refuses unknown fields, bad ranges, bad names and the wrong kind of run', async () => {
    const cases: [unknown, string][] = [
      [{ ...small, colour: 'red' }, 'colour'],
      [{ ...small, generator: { kind: 'onnx', path: '/x' } }, 'generator.kind'],
      [{ ...small, generator: { kind: 'run', runId: cycleRun } }, 'generator.direction'],
      [{ ...small, tileSizePx: 8 }, 'tileSizePx'],
      [{ ...small, tileSizePx: 66 }, 'tileSizePx'],
      [{ ...small, overlapPx: 40 }, 'overlapPx'],
      [{ ...small, scale: { kind: 'downsample', downsample: 0.5 } }, 'scale.downsample'],
      [{ ...small, slidePath: join(ws.he, 'bracs-1640-crop.tiff'), scale: { kind: 'mpp', mpp: 2 } }, 'scale'],
      [{ ...small, outName: '../x.tif' }, 'outName'],
      [{ ...small, outName: 'x.png' }, 'outName'],
      [{ ...small, slidePath: `${ws.he}/../HE/cmu-1-small-region.svs` }, 'slidePath'],
    ];
    for (const [request, field] of cases) {
      const error = await callError(service, 'inference.translate', request);
      expect(error.code, field).toBe('INVALID_REQUEST');
      expect(
        error.detail?.issues?.map((i) => i.field),
        `${field}: ${error.message}`,
      ).toContain(field);
    }
    const progan = await callError(service, 'inference.translate', {
      ...small,
      generator: { kind: 'run', runId: proganRun, direction: 'AtoB' },
    });
    expect(progan.code).toBe('INVALID_REQUEST');
    expect(progan.message).toContain('translation needs a CycleGAN run');
    const unknown = await callError(service, 'inference.translate', {
      ...small,
      generator: { kind: 'run', runId: 'no-such-run', direction: 'AtoB' },
    });
    expect(unknown.code).toBe('NOT_FOUND');
    const cycle = await callError(service, 'inference.generate', { runId: cycleRun, count: 2 });
    expect(cycle.code).toBe('INVALID_REQUEST');
    for (const request of [
      { runId: proganRun, count: 0 },
      { runId: proganRun, count: 65 },
      { runId: proganRun, count: 2, interpolationSteps: 1 },
      { runId: proganRun, count: 2, interpolationSteps: 17 },
    ]) {
      expect((await callError(service, 'inference.generate', request)).code).toBe('INVALID_REQUEST');
    }
    expect((await callError(service, 'inference.cancel', { jobId: 'translate-00000000' })).code).toBe(
      'NOT_FOUND',
    );
  });

  it('translates a slide as a job with progress events, into the run, and the result opens as a slide', async () => {
    const { job, translation } = await callOk(service, 'inference.translate', small);
    expect(job.kind).toBe('translate');
    expect(translation).toMatchObject({
      runId: cycleRun,
      direction: 'AtoB',
      from: 'H&E',
      to: 'DAPI',
      downsample: 8,
      detector: 'saturation',
      generatorStep: 4,
      state: 'running',
      jobId: job.jobId,
    });
    expect(translation.outPath).toBe(
      join(runsDir, cycleRun, 'translations', 'cmu-1-small-region.AtoB.step4.ds8.tif'),
    );
    await events.until(jobEnded(translation.outPath));
    const end = events.events.filter(jobEnded(translation.outPath)).at(-1)!;
    expect(end.name === 'job.state' && end.payload.job.state, JSON.stringify(end.payload)).toBe('done');
    const progress = events.events.flatMap((e) =>
      e.name === 'translation.progress' && e.payload.jobId === job.jobId ? [e.payload] : [],
    );
    expect(new Set(progress.map((p) => p.phase))).toEqual(
      new Set(['loading', 'translate', 'pyramid', 'write']),
    );
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(progress.at(-1)!.tissueTiles).toBeGreaterThan(0);

    const { translations } = await callOk(service, 'inference.translations', { runId: cycleRun });
    expect(translations[0]).toMatchObject({
      outPath: translation.outPath,
      state: 'done',
      jobId: null,
      widthPx: 278,
      heightPx: 371,
      levelCount: 2,
      resumedFromRow: 0,
    });
    expect(translations[0]!.fileBytes).toBeGreaterThan(1000);

    const details = await callOk(service, 'slides.info', { path: translation.outPath });
    expect(details.levels.map((l) => [l.widthPx, l.heightPx])).toEqual([
      [278, 371],
      [139, 186],
    ]);
    expect(details.vendor).toBe('generic-tiff');
    const tile = await callOk(service, 'slides.tile', {
      path: translation.outPath,
      level: details.deepZoom.levelCount - 1,
      col: 0,
      row: 0,
    });
    expect((await sharp(tile.image.bytes).metadata()).format).toBe('jpeg');
    const thumbnail = await callOk(service, 'slides.thumbnail', { path: translation.outPath, maxSizePx: 64 });
    expect(thumbnail.image.heightPx).toBe(64);
  });

  it('opens only the translated TIFF itself, not other files of the runs folder', async () => {
    const [translation] = (await callOk(service, 'inference.translations', { runId: cycleRun })).translations;
    for (const path of [
      `${translation!.outPath}.json`,
      join(runsDir, cycleRun, 'config.json'),
      join(runsDir, cycleRun, 'translations'),
    ]) {
      const error = await callError(service, 'slides.info', { path });
      expect(error.code, path).toBe('PATH_NOT_ALLOWED');
    }
  });

  it('refuses to translate the same output again unless asked to replace it', async () => {
    const again = await callError(service, 'inference.translate', small);
    expect(again.code).toBe('CONFLICT');
    // The workspace's H&E domain switches detector after the run was trained: the translation still
    // masks the slide as the generator's source domain was masked in training (saturation).
    await callOk(service, 'datasets.update', { domainId: heDomainId, detector: 'otsu-red' });
    const { translation } = await callOk(service, 'inference.translate', { ...small, replace: true });
    expect(translation.detector).toBe('saturation');
    await events.until(
      (e) =>
        jobEnded(translation.outPath)(e) && events.events.filter(jobEnded(translation.outPath)).length >= 2,
    );
    const [record] = (await callOk(service, 'inference.translations', {})).translations;
    expect(record).toMatchObject({ outPath: translation.outPath, state: 'done' });
  });

  it('cancels a translation (the call resolves once stopped), and the same request resumes it', async () => {
    const request: TranslateRequest = {
      ...small,
      scale: { kind: 'downsample', downsample: 4 },
      tileSizePx: 32,
      overlapPx: 8,
    };
    const { job, translation } = await callOk(service, 'inference.translate', request);
    const busy = await callError(service, 'inference.translate', small);
    expect(busy.code).toBe('CONFLICT');
    // Cancel once a few bands of TIFF rows are finished (the first 256 output rows need ~11 tile rows).
    await events.until(
      (e) =>
        e.name === 'translation.progress' &&
        e.payload.jobId === job.jobId &&
        e.payload.phase === 'translate' &&
        e.payload.done > 12 * Math.ceil(555 / 24),
    );
    const cancelled = await callOk(service, 'inference.cancel', { jobId: job.jobId });
    expect(cancelled.translation).toMatchObject({ state: 'stopped', jobId: null });
    expect(existsSync(translation.outPath)).toBe(false);
    expect(existsSync(`${translation.outPath}.partial`)).toBe(true);
    expect((await callError(service, 'slides.info', { path: translation.outPath })).code).toBe('NOT_FOUND');

    const resumed = await callOk(service, 'inference.translate', request);
    expect(resumed.translation.outPath).toBe(translation.outPath);
    const firstProgress = await new Promise<TranslationProgressEvent>((resolve) => {
      const stop = service.subscribe((e) => {
        if (
          e.name === 'translation.progress' &&
          e.payload.jobId === resumed.job.jobId &&
          e.payload.phase === 'translate'
        ) {
          stop();
          resolve(e.payload);
        }
      });
    });
    expect(firstProgress.fraction).toBeGreaterThan(0);
    await events.until(
      (e) =>
        jobEnded(translation.outPath)(e) &&
        e.name === 'job.state' &&
        e.payload.job.jobId === resumed.job.jobId,
    );
    const [record] = (await callOk(service, 'inference.translations', { runId: cycleRun })).translations;
    expect(record).toMatchObject({
      outPath: translation.outPath,
      state: 'done',
      widthPx: 555,
      heightPx: 742,
    });
    expect(record!.resumedFromRow).toBeGreaterThan(0);
    expect(existsSync(`${translation.outPath}.partial`)).toBe(false);
    const slide = await openSlide(translation.outPath);
    expect(slide.info.levels[0]).toMatchObject({ width: 555, height: 742 });
    slide.close();
  });

  it('still opens its translations after a restart of the service', async () => {
    const { translations } = await callOk(service, 'inference.translations', {});
    const again = await startService(ws.dir, [ws.root]);
    try {
      const listed = await callOk(again, 'inference.translations', {});
      expect(listed.translations.map((t) => t.outPath)).toEqual(translations.map((t) => t.outPath));
      const details = await callOk(again, 'slides.info', { path: translations[0]!.outPath });
      expect(details.levels.length).toBeGreaterThan(0);
    } finally {
      await again.shutdown();
    }
  });

  it('writes into a folder the user may pick only when asked to', async () => {
    const chosen = join(ws.root, 'translations');
    await mkdir(chosen);
    const { translation } = await callOk(service, 'inference.translate', {
      ...small,
      outFolder: chosen,
      outName: 'chosen.tif',
    });
    expect(translation.outPath).toBe(join(chosen, 'chosen.tif'));
    await events.until(jobEnded(translation.outPath));
    expect(existsSync(join(chosen, 'chosen.tif'))).toBe(true);
  });

  it('translates with an exported generator inside the runs folder, at the scale the request gives', async () => {
    const path = join(runsDir, cycleRun, 'export', 'generatorBA');
    const request: TranslateRequest = { ...small, generator: { kind: 'export', path } };
    const { scale: _scale, ...withoutScale } = request;
    const noScale = await callError(service, 'inference.translate', withoutScale);
    expect(noScale.code).toBe('INVALID_REQUEST');
    expect(noScale.detail?.issues?.[0]?.field).toBe('scale');
    const notAnExport = await callError(service, 'inference.translate', {
      ...request,
      generator: { kind: 'export', path: join(runsDir, cycleRun, 'checkpoints') },
    });
    expect(notAnExport.code).toBe('INVALID_REQUEST');
    const { translation } = await callOk(service, 'inference.translate', request);
    // An export has no run config: the mask is the slide's own domain's (switched to otsu-red above).
    expect(translation).toMatchObject({
      runId: cycleRun,
      direction: null,
      detector: 'otsu-red',
      generatorStep: null,
      outPath: join(runsDir, cycleRun, 'translations', 'cmu-1-small-region.generatorBA.ds8.tif'),
    });
    await events.until(jobEnded(translation.outPath));
    const [record] = (await callOk(service, 'inference.translations', { runId: cycleRun })).translations;
    expect(record).toMatchObject({ outPath: translation.outPath, state: 'done', widthPx: 278 });
  });

  it('generates ProGAN images, a grid and an interpolation strip as PNGs; the seed fixes them', async () => {
    const first = await callOk(service, 'inference.generate', {
      runId: proganRun,
      count: 4,
      seed: 5,
      interpolationSteps: 3,
      backend: 'cpu',
    });
    const r = first.resolution;
    expect([4, 8, 16]).toContain(r);
    expect(first.generatorStep).toBe(20);
    expect(first.images).toHaveLength(4);
    for (const image of first.images) {
      expect(image).toMatchObject({ mime: 'image/png', widthPx: r, heightPx: r });
      expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'png', width: r, height: r });
    }
    expect(first.grid).toMatchObject({ widthPx: 2 * r + 2, heightPx: 2 * r + 2 });
    expect(first.interpolation).toMatchObject({ widthPx: 3 * r + 4, heightPx: r });
    const same = await callOk(service, 'inference.generate', {
      runId: proganRun,
      count: 4,
      seed: 5,
      backend: 'cpu',
    });
    expect(Buffer.from(same.grid.bytes).equals(Buffer.from(first.grid.bytes))).toBe(true);
    expect(same.interpolation).toBeNull();
    const other = await callOk(service, 'inference.generate', {
      runId: proganRun,
      count: 4,
      seed: 6,
      backend: 'cpu',
    });
    expect(Buffer.from(other.grid.bytes).equals(Buffer.from(first.grid.bytes))).toBe(false);
  });
});
