import type { EmptyRequest, JobInfo } from './common.js';

/** Tissue detector: the original red-channel Otsu, or the HSV saturation variant (fluorescence, dark borders). */
export type MaskDetector = 'otsu-red' | 'saturation';

/**
 * Where one slide of a domain stands.
 * `pending`: found, mask not built yet; `building`: mask in progress; `ready`: mask built with tissue;
 * `no-tissue`: mask empty (excluded from sampling); `all-tissue`: every pixel tissue (sampled uniformly);
 * `unreadable`: OpenSlide opened or tried the file and failed (see `error`).
 */
export type SlideStatus = 'pending' | 'building' | 'ready' | 'no-tissue' | 'all-tissue' | 'unreadable';

/** One pyramid level of a slide: size in that level's pixels and its downsample from level 0. */
export interface LevelSummary {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly downsample: number;
}

/** One file of a domain's folders, as the dataset list shows it. */
export interface SlideEntry {
  /** Absolute, symlink-free path: the key by which every other method names this slide. */
  readonly path: string;
  /** File name for display. */
  readonly name: string;
  /** The added folder this slide was found under. */
  readonly folder: string;
  readonly fileBytes: number;
  readonly status: SlideStatus;
  /** OpenSlide's vendor (aperio, hamamatsu, generic-tiff, ...); null when the file did not open. */
  readonly vendor: string | null;
  /** `openslide.quickhash-1`; null when the file did not open. */
  readonly quickhash: string | null;
  /** Level-0 size in pixels; null when the file did not open. */
  readonly widthPx: number | null;
  readonly heightPx: number | null;
  /** Pyramid levels (0 when the file did not open); `slides.info` gives each level. */
  readonly levelCount: number;
  /** Microns per level-0 pixel; null when the slide does not say. */
  readonly mppX: number | null;
  /** Share of the mask that is tissue, 0..1; null until the mask exists. */
  readonly tissueFraction: number | null;
  /** Why the slide is unreadable or excluded, in words that name the problem. */
  readonly error: string | null;
}

/** A file in an added folder that is not a usable slide, with the reason. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

/** One domain (stain): a name, the folders that hold its slides and the mask detector used for them. */
export interface DomainSummary {
  readonly id: string;
  /** The stain's name as the user typed it, e.g. "H&E", "PAS". Unique, case-insensitively. */
  readonly name: string;
  readonly folders: readonly string[];
  readonly detector: MaskDetector;
  readonly slideCount: number;
  readonly readyCount: number;
  readonly unreadableCount: number;
  /** The running mask build of this domain, if any. */
  readonly job: JobInfo | null;
}

export interface CreateDomainRequest {
  readonly name: string;
  readonly detector?: MaskDetector;
  /** Absolute folder paths; each is added as by `addFolders`. */
  readonly folders?: readonly string[];
}

export interface UpdateDomainRequest {
  readonly domainId: string;
  readonly name?: string;
  /** Changing the detector rebuilds the domain's masks. */
  readonly detector?: MaskDetector;
}

export interface DomainRequest {
  readonly domainId: string;
}

export interface AddFoldersRequest {
  readonly domainId: string;
  /** Absolute folder paths, from a native dialog, a drop, or the browser-mode picker. */
  readonly folders: readonly string[];
}

export interface RemoveFolderRequest {
  readonly domainId: string;
  readonly folder: string;
}

export interface RebuildMasksRequest {
  readonly domainId: string;
  /** Rebuild even masks the cache already holds for the same slide and parameters. */
  readonly force?: boolean;
}

export interface BrowseRequest {
  /** Folder to list; omitted: the list of roots. */
  readonly path?: string;
}

export interface BrowseEntry {
  readonly name: string;
  readonly path: string;
}

/** A folder listing for the browser-mode picker (browsers cannot reveal a dropped folder's real path). */
export interface BrowseResponse {
  /** The folders the service lets the user pick from. */
  readonly roots: readonly string[];
  /** The listed folder; null for the list of roots. */
  readonly path: string | null;
  /** The folder above, when it is still inside a root. */
  readonly parent: string | null;
  /** Sub-folders, sorted by name. */
  readonly folders: readonly BrowseEntry[];
  /** How many plain files the folder holds (slides or not). */
  readonly fileCount: number;
}

export interface DomainResponse {
  readonly domain: DomainSummary;
}

export interface SlideListResponse {
  readonly domainId: string;
  readonly slides: readonly SlideEntry[];
  readonly skipped: readonly SkippedFile[];
}

/** Datasets: domains (stains), their folders, slides and tissue masks. */
export interface DatasetsApi {
  list(request: EmptyRequest): Promise<{ readonly domains: readonly DomainSummary[] }>;
  create(request: CreateDomainRequest): Promise<DomainResponse>;
  update(request: UpdateDomainRequest): Promise<DomainResponse>;
  remove(request: DomainRequest): Promise<{ readonly removed: true }>;
  addFolders(request: AddFoldersRequest): Promise<DomainResponse>;
  removeFolder(request: RemoveFolderRequest): Promise<DomainResponse>;
  /** Slides of a domain with their status; discovery runs again when folders changed. */
  slides(request: DomainRequest): Promise<SlideListResponse>;
  /** Starts (or restarts) the mask build of a domain; progress comes as `mask.progress` events. */
  rebuildMasks(request: RebuildMasksRequest): Promise<{ readonly job: JobInfo }>;
  browse(request: BrowseRequest): Promise<BrowseResponse>;
}
