import { describe, expect, it } from 'vitest';

import { loadOpenSlideAddon } from '../../src-main/native/openslide/index.js';
import { slidePath } from './helpers/fixtures.js';
import {
  pythonAssociatedImage,
  pythonOpenSlideMissing,
  pythonReadRegion,
} from './helpers/openslide-python.js';
import { writePngReference, writePngRowYs } from './helpers/openslide-tools.js';

const addon = loadOpenSlideAddon();

const pythonMissing = pythonOpenSlideMissing();
if (pythonMissing) process.stderr.write(`python3-openslide reference tests skipped: ${pythonMissing}\n`);

/** [slide, level0X, level0Y, level, width, height] */
type Region = readonly [string, number, number, number, number, number];

// Whole-region reads, compared with openslide-write-png's PNG. Level > 0 only where the downsample is an
// integer: there the tool's row-by-row reads are exactly the region's rows (see writePngRowYs).
const WHOLE_REGIONS: readonly Region[] = [
  ['cmu-1-small-region.svs', 1000, 1200, 0, 300, 200],
  ['cmu-1-small-region.svs', 2100, 2850, 0, 256, 256], // crosses the right and bottom edges
  ['cmu-1-small-region.svs', -40, -30, 0, 128, 96], // crosses the top-left corner
  ['tiny.svs', 0, 0, 0, 16, 16],
  ['tcga-cr-7395-ts1.svs', 1500, 1000, 0, 300, 200], // JPEG 2000
  ['bracs-1640-crop.tiff', 100, 100, 0, 300, 200], // generic TIFF
  ['bracs-1640-crop.tiff', 500, 600, 0, 256, 256], // generic TIFF, crossing the edges
  ['ndpi-dapi.ndpi', 1000, 1000, 0, 300, 200],
  ['ndpi-dapi.ndpi', 1000, 1000, 2, 300, 200], // downsample 4
  ['ndpi-tritc.ndpi', 2048, 1024, 3, 200, 256], // downsample 8, crossing the right edge
];

// Levels with a non-integer downsample (J2K SVS 2.0005, generic TIFF 2.0013 and 4.0143): the tool reads
// each row at its own truncated level-0 y, so we read the same rows and compare them.
const ROW_REGIONS: readonly Region[] = [
  ['tcga-cr-7395-ts1.svs', 1500, 1000, 1, 300, 24],
  ['tcga-cr-7395-ts1.svs', 4000, 3000, 1, 300, 24], // crosses the edges: partly transparent pixels
  ['bracs-1640-crop.tiff', 100, 100, 1, 200, 24],
  // Not bracs level 2: its 256 px tiles are wider than the 162 px level, and libtiff 4.5.0-6+deb12u4
  // ("raster width adapted for reading") leaves part of each decoded tile unwritten, so both the tool's
  // pixels and ours there depend on heap contents (fresh process: zeros; long-lived process: old data).
];

describe('readRegion pixels equal openslide-write-png byte for byte', () => {
  for (const [name, x, y, level, width, height] of WHOLE_REGIONS) {
    it(`${name} level ${level} at (${x}, ${y}) ${width}x${height}, as RGBA`, async () => {
      const slide = await addon.open(slidePath(name));
      try {
        const ours = await slide.readRegion(x, y, level, width, height, 'rgba');
        const reference = await writePngReference(slidePath(name), x, y, level, width, height);
        expect(ours.length).toBe(reference.length);
        expect(ours.equals(reference)).toBe(true);
      } finally {
        slide.close();
      }
    });
  }

  for (const [name, x, y, level, width, height] of ROW_REGIONS) {
    it(`${name} level ${level} at (${x}, ${y}), the tool's ${height} row reads, as RGBA`, async () => {
      const slide = await addon.open(slidePath(name));
      try {
        const reference = await writePngReference(slidePath(name), x, y, level, width, height);
        const rowYs = writePngRowYs(y, slide.levelDownsample(level), height);
        const rows = await Promise.all(
          rowYs.map((rowY) => slide.readRegion(x, rowY, level, width, 1, 'rgba')),
        );
        expect(Buffer.concat(rows).equals(reference)).toBe(true);
      } finally {
        slide.close();
      }
    });
  }
});

// Whole regions at a level > 0 with a non-integer downsample, where the tool above can only be matched
// row by row: python3-openslide's read_region reads each region in one call, as we do.
// The last field: whether the region crosses the level's right and bottom edges.
const PYTHON_REGIONS: ReadonlyArray<readonly [...Region, boolean]> = [
  ['tcga-cr-7395-ts1.svs', 1500, 1000, 1, 300, 200, false], // JPEG 2000, downsample 2.0005
  ['tcga-cr-7395-ts1.svs', 4000, 3300, 1, 300, 200, true],
  ['bracs-1640-crop.tiff', 0, 0, 1, 300, 200, false], // generic TIFF, downsample 2.0013
  ['bracs-1640-crop.tiff', 301, 401, 1, 300, 200, true],
];

/** Straight-alpha RGBA premultiplied back, rounding: exact inverse of a rounded un-premultiply. */
function premultiply(rgba: Buffer): Buffer {
  const out = Buffer.from(rgba);
  for (let i = 0; i < out.length; i += 4) {
    const alpha = out[i + 3]!;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round((out[i + c]! * alpha) / 255);
  }
  return out;
}

describe.skipIf(pythonMissing !== null)('readRegion pixels equal python3-openslide byte for byte', () => {
  for (const [name, x, y, level, width, height, crossesEdges] of PYTHON_REGIONS) {
    it(`${name} level ${level} at (${x}, ${y}) ${width}x${height}, as RGBA`, async () => {
      const slide = await addon.open(slidePath(name));
      try {
        const ours = await slide.readRegion(x, y, level, width, height, 'rgba');
        const reference = await pythonReadRegion(slidePath(name), x, y, level, width, height);
        expect(ours.length).toBe(width * height * 4);
        // The library's own pixels, before either side's un-premultiply.
        expect(premultiply(ours).equals(reference.premultiplied)).toBe(true);
        // read_region's straight RGBA: equal wherever alpha is 0 or 255; on partly transparent pixels
        // python truncates 255 * c / a where we (and openslide-write-png) round, so at most 1 above.
        let partial = 0;
        let mismatches = 0;
        for (let i = 0; i < ours.length; i += 4) {
          const alpha = ours[i + 3]!;
          const exact = alpha === 0 || alpha === 255;
          if (!exact) partial++;
          for (let c = 0; c < 4; c++) {
            const excess = ours[i + c]! - reference.straight[i + c]!;
            if (excess !== 0 && (exact || c === 3 || excess !== 1)) mismatches++;
          }
        }
        expect(mismatches).toBe(0);
        // The regions crossing the edges have partly transparent pixels, where the two differ.
        if (crossesEdges) expect(partial).toBeGreaterThan(0);
      } finally {
        slide.close();
      }
    });
  }
});

describe('RGB output composites the RGBA pixels over the background', () => {
  it('opaque pixels keep their colour, transparent ones take the background', async () => {
    const slide = await addon.open(slidePath('bracs-1640-crop.tiff'));
    const background = [10, 200, 30] as const;
    // Crosses the edges of level 1 (downsample 2.0013): transparent and partly transparent pixels.
    const [x, y, level, width, height] = [301, 301, 1, 300, 300] as const;
    const rgba = await slide.readRegion(x, y, level, width, height, 'rgba');
    const rgb = await slide.readRegion(x, y, level, width, height, 'rgb', background);
    const white = await slide.readRegion(x, y, level, width, height);
    slide.close();
    expect(rgb.length).toBe(width * height * 3);
    let transparent = 0;
    let partial = 0;
    let mismatches = 0;
    for (let i = 0; i < width * height; i++) {
      const alpha = rgba[4 * i + 3]!;
      // Partly transparent pixels went through un-premultiply and back: allow rounding by 1.
      const tolerance = alpha === 0 || alpha === 255 ? 0 : 1;
      for (let c = 0; c < 3; c++) {
        const straight = rgba[4 * i + c]!;
        const expected = Math.round((straight * alpha + background[c]! * (255 - alpha)) / 255);
        if (Math.abs(rgb[3 * i + c]! - expected) > tolerance) mismatches++;
        if (alpha === 0 && white[3 * i + c] !== 255) mismatches++;
      }
      if (alpha === 0) transparent++;
      else if (alpha < 255) partial++;
    }
    expect(mismatches).toBe(0);
    // Every case was exercised.
    expect(transparent).toBeGreaterThan(1000);
    expect(partial).toBeGreaterThan(100);
    expect(transparent + partial).toBeLessThan(width * height);
  });

  it.skipIf(pythonMissing !== null)(
    'reads associated images as RGBA equal to openslide-python, and as RGB',
    async () => {
      const slide = await addon.open(slidePath('cmu-1-small-region.svs'));
      const rgba = await slide.readAssociatedImage('thumbnail', 'rgba');
      const rgb = await slide.readAssociatedImage('thumbnail', 'rgb');
      slide.close();
      expect(
        rgba.data.equals(await pythonAssociatedImage(slidePath('cmu-1-small-region.svs'), 'thumbnail')),
      ).toBe(true);
      expect([rgba.width, rgba.height, rgba.data.length]).toEqual([574, 768, 574 * 768 * 4]);
      expect(rgb.data.length).toBe(574 * 768 * 3);
      for (let i = 0; i < 574 * 768; i += 997) {
        expect([...rgb.data.subarray(3 * i, 3 * i + 3)]).toEqual([...rgba.data.subarray(4 * i, 4 * i + 3)]);
        expect(rgba.data[4 * i + 3]).toBe(255);
      }
    },
  );
});
