import { stat } from 'node:fs/promises';
import type { MaskDetector, SkippedFile, SlideEntry } from '../../contract/index.js';
import { discoverSlides } from '../../core/dataset/index.js';
import type { Slide } from '../../core/slide/types.js';
import {
  resolveTissueMaskParameters,
  type MaskCache,
  type TissueMaskParameters,
} from '../../core/tissue/index.js';
import type { DomainRecord } from '../workspace/workspace.js';
import { discoveredEntry, unreadableEntry } from './slide-entry.js';

/** What the service knows about one domain's slides. */
export interface DomainSlides {
  /** The folders the list was discovered from, and the detector its statuses are for. */
  readonly folders: readonly string[];
  readonly detector: MaskDetector;
  /** Sorted by path. */
  entries: SlideEntry[];
  readonly skipped: readonly SkippedFile[];
}

/** The mask parameters of a detector (the SPEC defaults otherwise). */
export function maskParameters(detector: MaskDetector): TissueMaskParameters {
  return resolveTissueMaskParameters({ detector });
}

async function fileBytes(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

/**
 * The slides of each domain, discovered from its folders (by opening every file with OpenSlide) and kept
 * until the folders change; statuses come from the mask cache and from running mask builds.
 */
export class DatasetCatalog {
  private readonly domains = new Map<string, DomainSlides>();
  private readonly discovering = new Map<string, Promise<DomainSlides>>();

  constructor(
    private readonly maskCache: MaskCache,
    private readonly openSlide: (path: string) => Promise<Slide>,
  ) {}

  /** What is known now, without discovering (for summaries). */
  peek(domainId: string): DomainSlides | undefined {
    return this.domains.get(domainId);
  }

  /** The domain's slides; discovers again when its folders changed, re-reads statuses when its detector did. */
  async slides(domain: DomainRecord): Promise<DomainSlides> {
    const known = this.domains.get(domain.id);
    const sameFolders = known && known.folders.join('\n') === domain.folders.join('\n');
    if (known && sameFolders && known.detector === domain.detector) return known;
    const key = `${domain.id}\n${domain.detector}\n${domain.folders.join('\n')}`;
    let pending = this.discovering.get(key);
    if (!pending) {
      pending = (
        sameFolders && known ? this.restatus(known, domain.detector) : this.discover(domain)
      ).finally(() => this.discovering.delete(key));
      this.discovering.set(key, pending);
    }
    const result = await pending;
    this.domains.set(domain.id, result);
    return result;
  }

  /** Replaces one slide's entry (a mask build progressed); returns it, or null if the list changed. */
  update(domainId: string, entry: SlideEntry): SlideEntry | null {
    const known = this.domains.get(domainId);
    const index = known?.entries.findIndex((e) => e.path === entry.path) ?? -1;
    if (!known || index < 0) return null;
    known.entries[index] = entry;
    return entry;
  }

  forget(domainId: string): void {
    this.domains.delete(domainId);
  }

  private async discover(domain: DomainRecord): Promise<DomainSlides> {
    const found = await discoverSlides(domain.folders, { openSlide: this.openSlide });
    const params = maskParameters(domain.detector);
    const entries: SlideEntry[] = [];
    const skipped: SkippedFile[] = [];
    for (const slide of found.slides) {
      const lookup = await this.maskCache.read(slide.quickhash, params);
      const mask = lookup.status === 'hit' ? lookup.entry.metadata : null;
      entries.push(discoveredEntry(slide, domain.folders, await fileBytes(slide.path), mask));
    }
    for (const problem of found.problems) {
      // Files that look like slides but fail to open belong in the list with their reason; the rest
      // (plain files, duplicates, empty folders) are reported beside it.
      if (problem.kind === 'unreadable' || problem.kind === 'permission-denied')
        entries.push(
          unreadableEntry(problem.path, domain.folders, await fileBytes(problem.path), problem.reason),
        );
      else skipped.push({ path: problem.path, reason: problem.reason });
    }
    entries.sort((a, b) => a.path.localeCompare(b.path));
    return { folders: domain.folders, detector: domain.detector, entries, skipped };
  }

  private async restatus(known: DomainSlides, detector: MaskDetector): Promise<DomainSlides> {
    const params = maskParameters(detector);
    const entries: SlideEntry[] = [];
    for (const entry of known.entries) {
      if (entry.quickhash === null || entry.widthPx === null || entry.heightPx === null) {
        entries.push(entry);
        continue;
      }
      const lookup = await this.maskCache.read(entry.quickhash, params);
      const mask = lookup.status === 'hit' ? lookup.entry.metadata : null;
      const slide = {
        path: entry.path,
        vendor: entry.vendor,
        quickhash: entry.quickhash,
        level0Width: entry.widthPx,
        level0Height: entry.heightPx,
        levelCount: entry.levelCount,
        mppX: entry.mppX,
      };
      entries.push(discoveredEntry(slide, known.folders, entry.fileBytes, mask));
    }
    return { folders: known.folders, detector, entries, skipped: known.skipped };
  }
}
