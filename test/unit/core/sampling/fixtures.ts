import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import type { SlideInfo } from '../../../../src-main/core/slide/types.js';
import { buildSlideMask } from '../../../../src-main/core/tissue/build-mask.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { DEFAULT_TISSUE_MASK_PARAMETERS } from '../../../../src-main/core/tissue/tissue-mask.js';
import { TissueIndex } from '../../../../src-main/core/tissue/tissue-index.js';
import { loadTissueIndex } from '../../../../src-main/core/tissue/load-tissue-index.js';
import type { SamplerDataset, SlideTissueReport } from '../../../../src-main/core/sampling/patch-sampler.js';

/** The test slides (test/fixtures/slides). */
export const SLIDES_DIR = join(import.meta.dirname, '../../../fixtures/slides');
export const slidePath = (name: string): string => join(SLIDES_DIR, name);

/** A temporary folder removed by `done()`. */
export function tempDir(prefix: string): { path: string; done: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, done: () => rmSync(path, { recursive: true, force: true }) };
}

/** A slide's real tissue mask (built with the default parameters into `cacheDir`), indexed, and its info. */
export async function tissueOf(
  path: string,
  cacheDir: string,
): Promise<{ index: TissueIndex; info: SlideInfo }> {
  const cache = new MaskCache({ cacheDir });
  const report = await buildSlideMask(path, {
    cache,
    params: DEFAULT_TISSUE_MASK_PARAMETERS,
    openSlide: (p) => openSlide(p),
    writeUiThumbnail: false,
  });
  const index = await loadTissueIndex(report, cache, 'uniform');
  if (!(index instanceof TissueIndex)) throw new Error(index.reason);
  const slide = await openSlide(path);
  try {
    return { index, info: slide.info };
  } finally {
    slide.close();
  }
}

/** Chi-square statistic of observed counts against expected counts (cells with expectation 0 skipped). */
export function chiSquare(
  observed: readonly number[],
  expected: readonly number[],
): { chi2: number; df: number } {
  let chi2 = 0;
  let cells = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i]!;
    if (e <= 0) {
      if (observed[i]! > 0) return { chi2: Infinity, df: 1 };
      continue;
    }
    chi2 += (observed[i]! - e) ** 2 / e;
    cells++;
  }
  return { chi2, df: cells - 1 };
}

/** Upper critical value of chi-square at p = 0.001 (Wilson-Hilferty approximation). */
export function chiSquareCritical001(df: number): number {
  const z = 3.0902;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/**
 * A sampler dataset over real slides with their real masks: one report per slide, built in `cacheDir`
 * (a slide whose mask cannot be built is reported unusable with the reason, as the mask pool does).
 */
export async function datasetOf(
  domains: Readonly<Record<string, readonly string[]>>,
  cacheDir: string,
): Promise<SamplerDataset> {
  const reports: SlideTissueReport[] = [];
  for (const [domain, paths] of Object.entries(domains)) {
    for (const path of paths) {
      try {
        const { index, info } = await tissueOf(path, cacheDir);
        reports.push({
          domain,
          path,
          usable: true,
          tissue: index,
          quickhash: info.quickhash,
          levels: info.levels,
          mppX: info.mppX,
        });
      } catch (error) {
        reports.push({ domain, path, usable: false, code: 'UNREADABLE', message: (error as Error).message });
      }
    }
  }
  return {
    domains: Object.entries(domains).map(([name, slidePaths]) => ({ name, slidePaths })),
    reports: (async function* () {
      yield* reports;
    })(),
  };
}
