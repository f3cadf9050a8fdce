import type { SlideMaskReport } from './build-mask.js';
import type { MaskCache } from './mask-cache.js';
import { type EmptyMaskPolicy, TissueIndex } from './tissue-index.js';

/** Why a slide has no tissue index: it is left out of sampling with this message. */
export interface ExcludedSlide {
  readonly path: string;
  readonly reason: string;
}

/**
 * The sampling index of a slide whose mask build finished (SPEC 1.8, 2.1): reads the mask from the cache
 * (validated) and indexes it. An unreadable slide, a mask that vanished from the cache, or a mask without
 * tissue under the `exclude` policy give an ExcludedSlide with the reason instead.
 */
export async function loadTissueIndex(
  report: SlideMaskReport,
  cache: MaskCache,
  whenEmpty: EmptyMaskPolicy = 'exclude',
): Promise<TissueIndex | ExcludedSlide> {
  if (report.outcome === 'unreadable' || report.metadata === null || report.quickhash === null) {
    return { path: report.path, reason: report.error?.message ?? `${report.path}: unreadable` };
  }
  const lookup = await cache.read(report.quickhash, report.metadata.parameters);
  if (lookup.status !== 'hit') {
    const why = lookup.status === 'miss' ? 'is no longer in the cache' : `is invalid (${lookup.reason})`;
    return { path: report.path, reason: `${report.path}: its mask ${why}; build the masks again` };
  }
  const { slide } = lookup.entry.metadata;
  const index = TissueIndex.fromMask(lookup.entry.mask, slide.level0Width, slide.level0Height, whenEmpty);
  const why = lookup.entry.metadata.noTissueReason ? ` (${lookup.entry.metadata.noTissueReason})` : '';
  return (
    index ?? { path: report.path, reason: `${report.path}: no tissue found${why}; left out of sampling` }
  );
}
