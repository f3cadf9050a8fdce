import { basename } from 'node:path';
import type { SlideEntry, SlideStatus } from '../../contract/index.js';
import type { DiscoveredSlide } from '../../core/dataset/index.js';
import type { MaskMetadata, SlideMaskReport } from '../../core/tissue/index.js';
import { isInside } from '../workspace/path-guard.js';

/** The added folder a slide was found under (the deepest one, when folders nest). */
export function folderOf(path: string, folders: readonly string[]): string {
  return [...folders].sort((a, b) => b.length - a.length).find((folder) => isInside(path, folder)) ?? '';
}

const outcomeStatus: Record<MaskMetadata['outcome'], SlideStatus> = {
  ok: 'ready',
  'no-tissue': 'no-tissue',
  'all-tissue': 'all-tissue',
};

/** Why a slide's mask outcome matters for sampling, in words; null when it does not. */
function outcomeNote(outcome: MaskMetadata['outcome']): string | null {
  if (outcome === 'no-tissue') return 'No tissue found: left out of sampling';
  if (outcome === 'all-tissue') return 'The whole slide counts as tissue: sampled uniformly';
  return null;
}

/** A discovered slide as the list shows it, with its mask's state when the cache holds one. */
export function discoveredEntry(
  slide: DiscoveredSlide,
  folders: readonly string[],
  fileBytes: number,
  mask: MaskMetadata | null,
): SlideEntry {
  return {
    path: slide.path,
    name: basename(slide.path),
    folder: folderOf(slide.path, folders),
    fileBytes,
    status: mask ? outcomeStatus[mask.outcome] : 'pending',
    vendor: slide.vendor,
    quickhash: slide.quickhash,
    widthPx: slide.level0Width,
    heightPx: slide.level0Height,
    levelCount: slide.levelCount,
    mppX: slide.mppX,
    tissueFraction: mask ? mask.tissueFraction : null,
    error: mask ? outcomeNote(mask.outcome) : null,
  };
}

/** A file OpenSlide could not open, shown in the list with the reason. */
export function unreadableEntry(
  path: string,
  folders: readonly string[],
  fileBytes: number,
  reason: string,
): SlideEntry {
  return {
    path,
    name: basename(path),
    folder: folderOf(path, folders),
    fileBytes,
    status: 'unreadable',
    vendor: null,
    quickhash: null,
    widthPx: null,
    heightPx: null,
    levelCount: 0,
    mppX: null,
    tissueFraction: null,
    error: reason,
  };
}

/** An entry after its mask build finished (built, reused, or failed). */
export function entryAfterBuild(entry: SlideEntry, report: SlideMaskReport): SlideEntry {
  if (report.outcome === 'unreadable' || !report.metadata) {
    return {
      ...entry,
      status: 'unreadable',
      tissueFraction: null,
      error: report.error?.message ?? `${entry.path}: unreadable`,
    };
  }
  return {
    ...entry,
    status: outcomeStatus[report.metadata.outcome],
    tissueFraction: report.metadata.tissueFraction,
    error: outcomeNote(report.metadata.outcome),
  };
}
