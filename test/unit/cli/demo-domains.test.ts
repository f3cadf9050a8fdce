import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_DOMAINS } from '../../../src-main/cli/commands/demo.js';
import { resolveTrainingConfig, type DomainConfig } from '../../../src-main/core/config/training-config.js';
import { SamplerBatchSource } from '../../../src-main/core/training/trainer/sampler-source.js';
import { prepareSlides } from '../../../src-main/core/training/trainer/slide-dataset.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'histo-fetch-demo-domains-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** The demo's own sampling: the small preset's patch size and field of view. */
const demo = resolveTrainingConfig({ model: 'cyclegan', preset: 'small', domains: DEMO_DOMAINS, steps: 1 });
const { sizePx, scale } = demo.sampling;

/**
 * Mean over each patch of its brightest channel (DAPI is blue, TRITC red), per slide, for the first 64
 * patches the trainer's sampler draws for the domain (32 per slide).
 */
async function patchBrightness(domain: DomainConfig): Promise<Map<string, number[]>> {
  const slides = await prepareSlides(
    [domain],
    scale,
    { cacheDir, maskWorkers: 1 },
    {
      signal: new AbortController().signal,
      onEvent: () => undefined,
    },
  );
  const source = new SamplerBatchSource(slides, { workers: 1, augment: 0, minTissueFraction: 0 }, null);
  const bySlide = new Map<string, number[]>();
  try {
    for (let b = 0; b < 8; b++) {
      const batch = await source.next({ domain: domain.name, batchSize: 8, sizePx, scale, seed: 0 });
      const pixels = sizePx * sizePx;
      for (let i = 0; i < batch!.count; i++) {
        let sum = 0;
        for (let p = i * pixels * 3; p < (i + 1) * pixels * 3; p += 3)
          sum += Math.max(batch!.pixels[p]!, batch!.pixels[p + 1]!, batch!.pixels[p + 2]!);
        const slide = basename(batch!.provenance[i]!.slidePath);
        bySlide.set(slide, [...(bySlide.get(slide) ?? []), sum / pixels]);
      }
    }
  } finally {
    await source.close();
  }
  return bySlide;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// Glass on these slides is 2-4 (the mode of the brightest channel over a whole level). Measured on the
// 32 patches per slide, seed 0: saturation masks give DAPI patches 35-128 (mean 71), TRITC 16-39
// (mean 22); red-channel Otsu gives both slides glass patches at 2 (mean DAPI 19, TRITC 12).
describe('the demo domains', () => {
  it('mask H&E with otsu-red and fluorescence with saturation', () => {
    expect(DEMO_DOMAINS.map((d) => [d.name, basename(d.folders[0]!), d.detector])).toEqual([
      ['H&E', 'HE', 'otsu-red'],
      ['fluorescence', 'fluorescence', 'saturation'],
    ]);
    expect(demo.domains.map((d) => d.detector)).toEqual(['otsu-red', 'saturation']);
  });

  it('feed fluorescence patches of tissue, well above the dark glass', async () => {
    const fluorescence = DEMO_DOMAINS.find((d) => d.name === 'fluorescence')!;
    const tissue = await patchBrightness(fluorescence);
    expect([...tissue.keys()].sort()).toEqual(['ndpi-dapi.ndpi', 'ndpi-tritc.ndpi']);
    const dapi = tissue.get('ndpi-dapi.ndpi')!;
    const tritc = tissue.get('ndpi-tritc.ndpi')!;
    expect(Math.min(...dapi, ...tritc), 'the dimmest patch').toBeGreaterThan(10);
    expect(mean(dapi)).toBeGreaterThan(50);
    expect(mean(tritc)).toBeGreaterThan(17);

    // The same slides through red-channel Otsu: the mask takes the dark glass for tissue.
    const glass = await patchBrightness({ ...fluorescence, detector: 'otsu-red' });
    expect(Math.min(...glass.get('ndpi-dapi.ndpi')!)).toBeLessThan(6);
    expect(Math.min(...glass.get('ndpi-tritc.ndpi')!)).toBeLessThan(6);
  });
});
