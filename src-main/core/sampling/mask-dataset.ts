import type { SlideCatalog } from '../dataset/catalog.js';
import type { Slide } from '../slide/types.js';
import type { SlideMaskReport } from '../tissue/build-mask.js';
import { TissueIndex } from '../tissue/tissue-index.js';
import type { SamplerDataset, SlideTissueReport } from './patch-sampler.js';

/** Loads a finished slide's tissue index, or says why the slide is left out (`loadTissueIndex`). */
export type TissueIndexLoader = (
  report: SlideMaskReport,
) => Promise<TissueIndex | { readonly path: string; readonly reason: string }>;

export interface MaskDatasetSources {
  /** The dataset's slides by domain (discovery; duplicates already left out). */
  readonly catalog: SlideCatalog;
  /** Mask reports as each slide's mask is ready, e.g. `buildMasks(...).results()`. */
  readonly masks: AsyncIterable<SlideMaskReport>;
  readonly loadIndex: TissueIndexLoader;
  /** Opens a slide to read its level geometry (the handle is closed at once). */
  readonly openSlide: (path: string) => Promise<Slide>;
}

/**
 * The sampler's view of a dataset whose masks are being built (or read from the cache): each mask report
 * becomes a slide report with its tissue index and level geometry as soon as it arrives, so sampling can
 * start before every mask is done (SPEC 1.7).
 */
export function samplerDatasetFromMasks(sources: Readonly<MaskDatasetSources>): SamplerDataset {
  const domainOf = new Map<string, string>();
  for (const domain of sources.catalog.domains) {
    for (const slide of domain.slides) domainOf.set(slide.path, domain.name);
  }
  return {
    domains: sources.catalog.domains.map((d) => ({ name: d.name, slidePaths: d.slides.map((s) => s.path) })),
    reports: slideReports(sources, domainOf),
  };
}

async function* slideReports(
  sources: Readonly<MaskDatasetSources>,
  domainOf: ReadonlyMap<string, string>,
): AsyncGenerator<SlideTissueReport> {
  for await (const mask of sources.masks) {
    const domain = domainOf.get(mask.path);
    if (domain === undefined) continue;
    yield await toSlideReport(mask, domain, sources);
  }
}

async function toSlideReport(
  mask: SlideMaskReport,
  domain: string,
  sources: Readonly<MaskDatasetSources>,
): Promise<SlideTissueReport> {
  const { path } = mask;
  if (mask.outcome === 'unreadable') {
    const message = mask.error?.message ?? `${path}: the slide could not be read`;
    return { domain, path, usable: false, code: 'UNREADABLE', message };
  }
  const loaded = await sources.loadIndex(mask);
  if (!(loaded instanceof TissueIndex)) {
    const code = mask.outcome === 'no-tissue' ? 'NO_TISSUE' : 'UNREADABLE';
    return { domain, path, usable: false, code, message: loaded.reason };
  }
  let slide: Slide;
  try {
    slide = await sources.openSlide(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { domain, path, usable: false, code: 'UNREADABLE', message };
  }
  try {
    const { quickhash, levels, mppX } = slide.info;
    return { domain, path, usable: true, tissue: loaded, quickhash, levels, mppX };
  } finally {
    slide.close();
  }
}
