import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../../src-main/core/slide/index.js';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, slideWorkspace, startService } from './helpers.js';

/** Mean absolute difference per channel between two RGB images of the same size. */
function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function decode(bytes: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('slides: details, thumbnails and deep-zoom tiles from the real slides', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let cmu: string;

  beforeAll(async () => {
    ws = await slideWorkspace();
    await symlink(join(ws.outside, 'tiny.svs'), join(ws.he, 'linked-out.svs'));
    service = await startService(ws.dir, [ws.root]);
    await callOk(service, 'datasets.create', { name: 'H&E', folders: [ws.he] });
    cmu = join(ws.he, 'cmu-1-small-region.svs');
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it('describes a slide with its levels, resolution and deep-zoom pyramid', async () => {
    const details = await callOk(service, 'slides.info', { path: cmu });
    expect(details).toMatchObject({
      path: cmu,
      vendor: 'aperio',
      quickhash: '6335ea0e6cc54c2cba64bb265d3c713a50cd84484924e3a9c109558c13521d5c',
      levels: [{ widthPx: 2220, heightPx: 2967, downsample: 1 }],
      objectivePower: 20,
      mask: null,
    });
    expect(details.mppX).toBeCloseTo(0.499, 3);
    expect(details.deepZoom.levelCount).toBe(13);
    expect(details.associatedImages).toEqual(expect.arrayContaining(['label', 'macro', 'thumbnail']));
  });

  it('renders a full-resolution tile equal to the region the binding reads', async () => {
    const { image } = await callOk(service, 'slides.tile', { path: cmu, level: 12, col: 3, row: 4 });
    expect(image).toMatchObject({ mime: 'image/jpeg', widthPx: 256, heightPx: 256 });
    const tile = await decode(image.bytes);
    const slide = await openSlide(cmu);
    const region = await slide.readRegion(768, 1024, 0, 256, 256);
    const neighbour = await slide.readRegion(1024, 1024, 0, 256, 256);
    slide.close();
    expect(tile.width).toBe(256);
    // JPEG re-encoding costs a few levels; the neighbouring tile's content is far off.
    expect(meanDifference(tile.data, region.data)).toBeLessThan(8);
    expect(meanDifference(tile.data, neighbour.data)).toBeGreaterThan(20);
  });

  it('renders the coarse levels from the whole slide, and clips edge tiles', async () => {
    const whole = await callOk(service, 'slides.tile', { path: cmu, level: 8, col: 0, row: 0 });
    expect(whole.image).toMatchObject({ widthPx: 139, heightPx: 186 });
    const edge = await callOk(service, 'slides.tile', { path: cmu, level: 12, col: 8, row: 11 });
    expect(edge.image).toMatchObject({ widthPx: 172, heightPx: 151 });
    const outside = await callError(service, 'slides.tile', { path: cmu, level: 12, col: 9, row: 0 });
    expect(outside.code).toBe('NOT_FOUND');
  });

  it('reads the pyramid level that fits a tile of a multi-level slide', async () => {
    const ndpi = join(ws.fluorescence, 'ndpi-dapi.ndpi');
    await callOk(service, 'datasets.create', { name: 'DAPI', folders: [ws.fluorescence] });
    const details = await callOk(service, 'slides.info', { path: ndpi });
    expect(details.levels.length).toBe(7);
    const top = details.deepZoom.levelCount - 1;
    const started = performance.now();
    const { image } = await callOk(service, 'slides.tile', { path: ndpi, level: top - 5, col: 0, row: 0 });
    // At downsample 32 the tile comes from level 5 (124 x 152 px), not from 20 megapixels of level 0.
    expect(image).toMatchObject({ widthPx: 124, heightPx: 152 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives thumbnails and footprints at the asked size', async () => {
    const { image } = await callOk(service, 'slides.thumbnail', { path: cmu, maxSizePx: 512 });
    expect(image).toMatchObject({ mime: 'image/jpeg', widthPx: 383, heightPx: 512 });
    expect((await decode(image.bytes)).height).toBe(512);
    const region = await callOk(service, 'slides.region', {
      path: cmu,
      level0X: 100,
      level0Y: 200,
      level0Width: 1024,
      level0Height: 512,
      sizePx: 128,
    });
    expect(region.image).toMatchObject({ widthPx: 128, heightPx: 64 });
  });

  it('reports files that are not slides or cannot be read, naming them', async () => {
    const unopenable = join(ws.he, 'bad', 'unopenable.tiff');
    const notSlide = await callError(service, 'slides.info', { path: unopenable });
    expect(notSlide.code).toBe('UNSUPPORTED_FORMAT');
    expect(notSlide.message).toContain(unopenable);
    const unreadable = join(ws.he, 'bad', 'unreadable.svs');
    const failed = await callError(service, 'slides.tile', { path: unreadable, level: 4, col: 0, row: 0 });
    expect(failed.code).toBe('SLIDE_READ_FAILED');
    expect(failed.message).toContain(unreadable);
  });

  it('refuses slides outside the added folders, also through symlinks', async () => {
    const outside = await callError(service, 'slides.info', { path: join(ws.outside, 'tiny.svs') });
    expect(outside.code).toBe('PATH_NOT_ALLOWED');
    const linked = await callError(service, 'slides.thumbnail', { path: join(ws.he, 'linked-out.svs') });
    expect(linked.code).toBe('PATH_NOT_ALLOWED');
    const escaped = await callError(service, 'slides.tile', {
      path: `${ws.he}/../outside/tiny.svs`,
      level: 0,
      col: 0,
      row: 0,
    });
    expect(escaped.code).toBe('INVALID_REQUEST');
  });
});
