import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { readThumbnail } from '../../../../src-main/core/tissue/thumbnail.js';
import {
  computeTissueMask,
  resolveTissueMaskParameters,
} from '../../../../src-main/core/tissue/tissue-mask.js';
import { fixtureSlide } from './fixtures.js';

const PYTHON = '/usr/bin/python3';
const referenceScript = fileURLToPath(new URL('./reference_mask.py', import.meta.url));

/** Debian's python3 with OpenCV, Pillow and NumPy (the reference); null with the reason when absent. */
function pythonProblem(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import cv2, numpy, PIL'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} is not available (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} lacks cv2/numpy/PIL: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

const problem = pythonProblem();
if (problem)
  console.warn(`golden mask test skipped: ${problem} (apt-get install python3-opencv python3-pil)`);

describe.skipIf(problem !== null)('golden mask vs an independent OpenCV reference (SPEC 1.1-1.4)', () => {
  it.each(['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs'])(
    'agrees with the reference on at least 99 percent of the pixels of %s',
    async (name) => {
      const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-golden-'));
      try {
        const slide = await openSlide(fixtureSlide(name));
        const thumbnail = await readThumbnail(slide, { longSidePx: 2000 }).finally(() => slide.close());
        const thumbnailPath = join(dir, 'thumbnail.png');
        await sharp(thumbnail.data, {
          raw: { width: thumbnail.width, height: thumbnail.height, channels: 3 },
        })
          .png()
          .toFile(thumbnailPath);
        const referencePath = join(dir, 'reference.png');
        const run = spawnSync(PYTHON, [referenceScript, thumbnailPath, referencePath], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const reference = JSON.parse(run.stdout) as { threshold: number; tissueFraction: number };

        const ours = await computeTissueMask(thumbnail, resolveTissueMaskParameters());
        const { data, info } = await sharp(referencePath)
          .extractChannel(0)
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([thumbnail.width, thumbnail.height]);
        let agree = 0;
        for (let i = 0; i < data.length; i++) if ((data[i]! > 0 ? 1 : 0) === ours.mask.data[i]) agree++;
        expect(agree / data.length).toBeGreaterThanOrEqual(0.99);
        expect(Math.abs(ours.threshold - reference.threshold)).toBeLessThanOrEqual(1);
        expect(ours.tissueFraction).toBeCloseTo(reference.tissueFraction, 2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
