import { afterAll, describe, expect, it } from 'vitest';
import type { DiscoveredSlide } from '../../../../src-main/core/dataset/discovery.js';
import { startMaskSource } from '../../../../src-main/core/sampling/mask-source.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import type { SlideMaskReport } from '../../../../src-main/core/tissue/build-mask.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import type { MaskPoolEvent } from '../../../../src-main/core/tissue/mask-pool.js';
import { DEFAULT_TISSUE_MASK_PARAMETERS } from '../../../../src-main/core/tissue/tissue-mask.js';
import { slidePath, tempDir, tissueOf } from './fixtures.js';

const CMU = slidePath('cmu-1-small-region.svs');
const BRACS = slidePath('bracs-1640-crop.tiff');
const cache = tempDir('sampling-mask-source-');
afterAll(() => cache.done());

/** The catalog's view of a slide. */
async function discovered(path: string): Promise<DiscoveredSlide> {
  const slide = await openSlide(path);
  try {
    const { vendor, quickhash, levels, mppX } = slide.info;
    const { width, height } = levels[0]!;
    return {
      path,
      vendor,
      quickhash,
      level0Width: width,
      level0Height: height,
      levelCount: levels.length,
      mppX,
    };
  } finally {
    slide.close();
  }
}

async function collect(reports: AsyncIterable<SlideMaskReport>): Promise<SlideMaskReport[]> {
  const out: SlideMaskReport[] = [];
  for await (const report of reports) out.push(report);
  return out;
}

describe('mask source', () => {
  it('reads cached masks on this thread, starts no mask worker when all are cached', async () => {
    await tissueOf(CMU, cache.path); // builds and caches the mask
    const events: MaskPoolEvent[] = [];
    const source = startMaskSource(
      [{ slide: await discovered(CMU), params: DEFAULT_TISSUE_MASK_PARAMETERS }],
      {
        cache: new MaskCache({ cacheDir: cache.path }),
        onEvent: (e) => events.push(e),
      },
    );
    const reports = await collect(source.reports);
    expect(await source.build).toBeNull();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ path: CMU, outcome: 'ok', fromCache: true, error: null });
    expect(reports[0]!.metadata!.slide.path).toBe(CMU);
    expect(events.map((e) => [e.type, e.finished, e.total])).toEqual([['cached', 1, 1]]);
  });

  it('builds only the masks the cache lacks, on mask workers, with counts over the whole dataset', async () => {
    const events: MaskPoolEvent[] = [];
    const source = startMaskSource(
      [
        { slide: await discovered(BRACS), params: DEFAULT_TISSUE_MASK_PARAMETERS },
        { slide: await discovered(CMU), params: DEFAULT_TISSUE_MASK_PARAMETERS },
      ],
      { cache: new MaskCache({ cacheDir: cache.path }), workers: 1, onEvent: (e) => events.push(e) },
    );
    const reports = await collect(source.reports);
    const build = await source.build;
    expect(build).not.toBeNull();
    expect((await build!.done).reports.map((r) => r.path)).toEqual([BRACS]);
    expect(reports.map((r) => [r.path, r.fromCache])).toEqual([
      [CMU, true],
      [BRACS, false],
    ]);
    const finished = events.filter((e) => e.type !== 'started');
    expect(finished.map((e) => [e.type, e.path, e.finished, e.total])).toEqual([
      ['cached', CMU, 1, 2],
      ['done', BRACS, 2, 2],
    ]);
    await source.cancel();
  });
});
