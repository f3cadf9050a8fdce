import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainSequencer,
  type ExcludedSlide,
  type SequencerOptions,
} from '../../../../src-main/core/sampling/sequencer.js';
import type { PatchPlan, SamplerSlide } from '../../../../src-main/core/sampling/plan.js';
import type { SlideInfo } from '../../../../src-main/core/slide/types.js';
import type { TissueIndex } from '../../../../src-main/core/tissue/tissue-index.js';
import { chiSquare, chiSquareCritical001, slidePath, tempDir, tissueOf } from './fixtures.js';

const NAMES = ['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs', 'bracs-1640-crop.tiff', 'ndpi-dapi.ndpi'];
const slides = new Map<string, { index: TissueIndex; info: SlideInfo }>();
const cache = tempDir('sampling-stats-');

beforeAll(async () => {
  for (const name of [...NAMES, 'tiny.svs']) slides.set(name, await tissueOf(slidePath(name), cache.path));
});
afterAll(() => cache.done());

const OPTIONS: SequencerOptions = {
  patchSize: 64,
  minTissueFraction: 0,
  maxLocationRedraws: 50,
  maxSlideFailures: 3,
  shuffleBufferSize: 1,
  weighting: 'balanced',
};

function samplerSlide(name: string, downsample = 1): SamplerSlide {
  const { index, info } = slides.get(name)!;
  return { path: slidePath(name), quickhash: info.quickhash, levels: info.levels, downsample, tissue: index };
}

function sequencer(
  names: readonly string[],
  options: Partial<SequencerOptions> = {},
  excluded: ExcludedSlide[] = [],
): DomainSequencer {
  const s = new DomainSequencer(
    'H&E',
    7,
    { ...OPTIONS, ...options },
    {
      onSlideFailure: () => undefined,
      onSlideExcluded: (e) => excluded.push(e),
    },
  );
  for (const name of names) s.admit(samplerSlide(name));
  return s;
}

function draw(s: DomainSequencer, n: number): PatchPlan[] {
  return Array.from({ length: n }, () => s.nextPlan()!);
}

describe('location statistics on real masks', () => {
  it('puts every location on a tissue pixel of the mask, jittered inside it', () => {
    const name = 'cmu-1-small-region.svs';
    const { index } = slides.get(name)!;
    const plans = draw(sequencer([name]), 20_000);
    const fractionBins = new Array<number>(10).fill(0);
    for (const plan of plans) {
      const mx = (plan.centreLevel0X * index.maskWidth) / index.level0Width;
      const my = (plan.centreLevel0Y * index.maskHeight) / index.level0Height;
      expect(index.isTissue(Math.floor(mx), Math.floor(my))).toBe(true);
      fractionBins[Math.floor((mx - Math.floor(mx)) * 10)]!++;
    }
    // Within its mask pixel the centre is uniform, not pinned to the pixel centre.
    const { chi2, df } = chiSquare(fractionBins, new Array<number>(10).fill(plans.length / 10));
    expect(chi2).toBeLessThan(chiSquareCritical001(df));
  });

  it('spreads locations uniformly over the tissue (chi-square over an 8x8 grid)', () => {
    for (const name of ['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs']) {
      const { index } = slides.get(name)!;
      const grid = 8;
      const expectedTissue = new Array<number>(grid * grid).fill(0);
      for (let y = 0; y < index.maskHeight; y++) {
        for (let x = 0; x < index.maskWidth; x++) {
          if (index.isTissue(x, y)) {
            expectedTissue[
              Math.floor((y * grid) / index.maskHeight) * grid + Math.floor((x * grid) / index.maskWidth)
            ]!++;
          }
        }
      }
      const n = 30_000;
      const observed = new Array<number>(grid * grid).fill(0);
      for (const plan of draw(sequencer([name]), n)) {
        const cx = Math.floor((plan.centreLevel0X * grid) / index.level0Width);
        const cy = Math.floor((plan.centreLevel0Y * grid) / index.level0Height);
        observed[cy * grid + cx]!++;
      }
      const expected = expectedTissue.map((t) => (t * n) / index.tissuePixels);
      const { chi2, df } = chiSquare(observed, expected);
      expect(df).toBeGreaterThan(10);
      expect(chi2).toBeLessThan(chiSquareCritical001(df));
      // The same counts against a uniform spread over the whole slide are rejected: the test has power.
      const flat = chiSquare(
        observed,
        observed.map(() => n / (grid * grid)),
      );
      expect(flat.chi2).toBeGreaterThan(chiSquareCritical001(flat.df));
    }
  });

  it('gives every slide one patch per pass, in a new order each pass', () => {
    const plans = draw(sequencer(NAMES), NAMES.length * 50);
    const orders = new Set<string>();
    for (let pass = 0; pass < 50; pass++) {
      const block = plans.slice(pass * NAMES.length, (pass + 1) * NAMES.length).map((p) => p.slidePath);
      expect([...block].sort()).toEqual(NAMES.map(slidePath).sort());
      orders.add(block.join('|'));
    }
    expect(orders.size).toBeGreaterThan(10);
  });

  it('keeps the balance within the shuffle buffer size when shuffling', () => {
    const passes = 100;
    const plans = draw(sequencer(NAMES, { shuffleBufferSize: 32 }), NAMES.length * passes);
    for (const name of NAMES) {
      const count = plans.filter((p) => p.slidePath === slidePath(name)).length;
      expect(Math.abs(count - passes)).toBeLessThanOrEqual(32);
    }
    // Consecutive plans are no longer whole passes.
    const firstBlocks = Array.from(
      { length: 20 },
      (_, i) => new Set(plans.slice(i * 4, i * 4 + 4).map((p) => p.slidePath)).size,
    );
    expect(firstBlocks.some((n) => n < 4)).toBe(true);
  });

  it('draws slides in proportion to tissue area with tissue-area weighting', () => {
    const n = 20_000;
    const plans = draw(sequencer(NAMES, { weighting: 'tissue-area' }), n);
    const areas = NAMES.map((name) => {
      const { index } = slides.get(name)!;
      return (
        (index.tissuePixels * index.level0Width * index.level0Height) / (index.maskWidth * index.maskHeight)
      );
    });
    const total = areas.reduce((a, b) => a + b, 0);
    const observed = NAMES.map((name) => plans.filter((p) => p.slidePath === slidePath(name)).length);
    const { chi2, df } = chiSquare(
      observed,
      areas.map((a) => (a * n) / total),
    );
    expect(chi2).toBeLessThan(chiSquareCritical001(df));
  });

  it('only returns footprints with at least minTissueFraction, and excludes a slide that has none', () => {
    const excluded: ExcludedSlide[] = [];
    const s = sequencer(
      ['tcga-cr-7395-ts1.svs', 'tiny.svs'],
      { minTissueFraction: 0.6, patchSize: 256 },
      excluded,
    );
    const plans = draw(s, 200);
    for (const plan of plans) expect(plan.tissueFraction).toBeGreaterThanOrEqual(0.6);
    // tiny.svs is 16x16 px: a 256-px footprint can never be 60 % tissue.
    expect(plans.every((p) => p.slidePath === slidePath('tcga-cr-7395-ts1.svs'))).toBe(true);
    expect(excluded).toHaveLength(1);
    expect(excluded[0]).toMatchObject({ path: slidePath('tiny.svs'), code: 'TOO_LITTLE_TISSUE' });
    expect(excluded[0]!.message).toContain('tiny.svs');
  });
});
