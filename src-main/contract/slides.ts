import type { ImageBytes } from './common.js';
import type { LevelSummary, MaskDetector } from './datasets.js';

export interface SlidePathRequest {
  /** Absolute path of a slide inside an added folder. */
  readonly path: string;
}

/**
 * The deep-zoom pyramid the slide view draws: level `levelCount - 1` is the full-resolution image,
 * each level below halves it, level 0 is 1x1 px. Tiles are `tileSizePx` square (edge tiles smaller).
 */
export interface DeepZoomLayout {
  readonly tileSizePx: number;
  readonly levelCount: number;
  /** Size of each deep-zoom level in its own pixels, index = deep-zoom level. */
  readonly levelSizes: readonly { readonly widthPx: number; readonly heightPx: number }[];
}

/** Everything the slide view needs to know about one slide. */
export interface SlideDetails {
  readonly path: string;
  readonly vendor: string | null;
  readonly quickhash: string;
  readonly levels: readonly LevelSummary[];
  readonly mppX: number | null;
  readonly mppY: number | null;
  readonly objectivePower: number | null;
  readonly backgroundRgb: readonly [number, number, number];
  readonly propertyCount: number;
  readonly associatedImages: readonly string[];
  readonly deepZoom: DeepZoomLayout;
  /** The cached tissue mask, when it has been built. */
  readonly mask: {
    readonly detector: MaskDetector;
    readonly tissueFraction: number;
    readonly widthPx: number;
    readonly heightPx: number;
  } | null;
}

export interface ThumbnailRequest {
  readonly path: string;
  /** Long side of the returned JPEG, 32..2000 px (default 512). */
  readonly maxSizePx?: number;
}

export interface TileRequest {
  readonly path: string;
  /** Deep-zoom level (0 = 1x1 px; `levelCount - 1` = full resolution). */
  readonly level: number;
  readonly col: number;
  readonly row: number;
}

/** Re-reads a footprint of the slide, e.g. to show where a sampled patch came from. */
export interface RegionRequest {
  readonly path: string;
  /** Top-left corner and size of the footprint, in level-0 pixels. */
  readonly level0X: number;
  readonly level0Y: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** Long side of the returned image, 8..1024 px. */
  readonly sizePx: number;
}

export interface MaskImage {
  /**
   * The tissue mask as an RGBA PNG overlay the size of the mask: background tinted, tissue clear,
   * tissue border outlined; drawn over the thumbnail stretched to the same box.
   */
  readonly overlay: ImageBytes;
  readonly tissueFraction: number;
  readonly detector: MaskDetector;
}

/** Slides: details, thumbnails, tissue masks and deep-zoom tiles. */
export interface SlidesApi {
  info(request: SlidePathRequest): Promise<SlideDetails>;
  /** JPEG thumbnail of the whole slide. */
  thumbnail(request: ThumbnailRequest): Promise<{ readonly image: ImageBytes }>;
  /** The mask overlay for the thumbnail; `NOT_READY` while it is not built. */
  mask(request: SlidePathRequest): Promise<MaskImage>;
  /** One JPEG deep-zoom tile. */
  tile(request: TileRequest): Promise<{ readonly image: ImageBytes }>;
  /** A JPEG of a level-0 footprint, read from the best pyramid level. */
  region(request: RegionRequest): Promise<{ readonly image: ImageBytes }>;
}
