import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { renderContactSheet } from '../../../../src-main/core/sampling/contact-sheet.js';
import type { PatchProvenance } from '../../../../src-main/core/sampling/provenance.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { readThumbnail } from '../../../../src-main/core/tissue/thumbnail.js';
import { slidePath } from './fixtures.js';

const CMU = slidePath('cmu-1-small-region.svs');
const MARK = [0, 230, 60];
const GAP = 8;

describe('contact sheet', () => {
  it("outlines a patch's footprint where it falls on its slide's thumbnail, beside the patch", async () => {
    const slide = await openSlide(CMU);
    const { width: level0Width, height: level0Height } = slide.info.levels[0]!;
    const footprint = { level0X: 1000, level0Y: 1200, level0Width: 400, level0Height: 400 };
    const read = await slide.readRegion(footprint.level0X, footprint.level0Y, 0, 400, 400, {
      format: 'rgb',
      background: [255, 255, 255],
    });
    // Long side 256 = the cell: the thumbnail goes on the sheet unscaled, so its pixels are known here.
    const thumbnail = await readThumbnail(slide, { longSidePx: 256 });
    slide.close();
    expect(thumbnail.data).toHaveLength(thumbnail.width * thumbnail.height * 3);
    expect(Math.max(thumbnail.width, thumbnail.height)).toBe(256);
    const patch = await resizePatch({ width: 400, height: 400, data: read.data }, 64, 64);
    const provenance: PatchProvenance = {
      sampleIndex: 0,
      domain: 'H&E',
      slidePath: CMU,
      quickhash: 'f'.repeat(64),
      level: 0,
      levelDownsample: 1,
      readSizePx: 400,
      ...footprint,
      centreLevel0X: 1200,
      centreLevel0Y: 1400,
      patchSize: 64,
      downsample: 6.25,
      tissueFraction: 1,
      seed: 0,
      patchSeed: 0,
      augmentation: null,
    };
    const png = await renderContactSheet(
      [{ pixels: patch.data, provenance }],
      new Map([[CMU, { image: thumbnail, level0Width, level0Height }]]),
      { cellPx: 256 },
    );
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const at = (x: number, y: number): number[] => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    const isMark = (rgb: readonly number[]): boolean => rgb.every((v, i) => v === MARK[i]);

    // The thumbnail sits right of the patch cell; the outline is the only mark colour on the sheet.
    const left = GAP + 256 + GAP;
    const marked: [number, number][] = [];
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) if (isMark(at(x, y))) marked.push([x - left, y - GAP]);
    }
    for (let i = 0; i < thumbnail.data.length; i += 3)
      expect(isMark([...thumbnail.data.subarray(i, i + 3)])).toBe(false);
    const sx = thumbnail.width / level0Width;
    const sy = thumbnail.height / level0Height;
    const expected = {
      x0: footprint.level0X * sx,
      x1: (footprint.level0X + footprint.level0Width) * sx,
      y0: footprint.level0Y * sy,
      y1: (footprint.level0Y + footprint.level0Height) * sy,
    };
    const xs = marked.map(([x]) => x);
    const ys = marked.map(([, y]) => y);
    expect(Math.abs(Math.min(...xs) - expected.x0)).toBeLessThanOrEqual(1);
    expect(Math.abs(Math.max(...xs) - expected.x1)).toBeLessThanOrEqual(1);
    expect(Math.abs(Math.min(...ys) - expected.y0)).toBeLessThanOrEqual(1);
    expect(Math.abs(Math.max(...ys) - expected.y1)).toBeLessThanOrEqual(1);
    // An outline 2 px wide, not a filled box: the footprint's inside shows the thumbnail.
    for (const [x, y] of marked) {
      const nearEdge =
        Math.min(x - Math.min(...xs), Math.max(...xs) - x) < 2 ||
        Math.min(y - Math.min(...ys), Math.max(...ys) - y) < 2;
      expect(nearEdge).toBe(true);
    }
    const cx = Math.round((expected.x0 + expected.x1) / 2);
    const cy = Math.round((expected.y0 + expected.y1) / 2);
    expect(at(left + cx, GAP + cy)).toEqual([
      ...thumbnail.data.subarray((cy * thumbnail.width + cx) * 3, (cy * thumbnail.width + cx) * 3 + 3),
    ]);
    // The patch itself fills the first cell (enlarged to 256 px): its mean colour is the patch's.
    const mean = (pixels: ArrayLike<number>, channel: number): number => {
      let sum = 0;
      for (let i = channel; i < pixels.length; i += 3) sum += pixels[i]!;
      return sum / (pixels.length / 3);
    };
    const cell: number[] = [];
    for (let y = GAP; y < GAP + 256; y++) for (let x = GAP; x < GAP + 256; x++) cell.push(...at(x, y));
    for (let c = 0; c < 3; c++) expect(Math.abs(mean(cell, c) - mean(patch.data, c))).toBeLessThan(2);
  });
});
