/**
 * The slide layer's public shapes. Implemented over our Node-API OpenSlide binding
 * (src-main/native/openslide); everything above this layer (tissue, sampling, inference) uses only these.
 */

/** One pyramid level: size in that level's pixels, and its downsample relative to level 0. */
export interface SlideLevel {
  readonly width: number;
  readonly height: number;
  readonly downsample: number;
  /**
   * Set when the level cannot be read reliably, with the reason: a TIFF level whose tiles are wider or
   * taller than the level itself is decoded by Debian's libtiff 4.5 ("raster width adapted for reading")
   * with part of each tile left unwritten, so its pixels are undefined. Level choice skips such levels.
   */
  readonly unreliable?: string;
}

export interface SlideInfo {
  /** Absolute path of the slide file. */
  readonly path: string;
  /** OpenSlide's vendor name (aperio, hamamatsu, generic-tiff, ...). */
  readonly vendor: string | null;
  /** `openslide.quickhash-1`: identifies the slide's content; the key of every cache. */
  readonly quickhash: string;
  readonly levels: readonly SlideLevel[];
  /** Microns per level-0 pixel, from `openslide.mpp-x/y`; null when the slide does not say. */
  readonly mppX: number | null;
  readonly mppY: number | null;
  /** `openslide.objective-power`; null when absent. */
  readonly objectivePower: number | null;
  /** `openslide.background-color` as RGB, white when the slide names none. */
  readonly backgroundRgb: readonly [number, number, number];
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedImages: readonly string[];
}

/** Interleaved 8-bit pixels, row-major, `channels` per pixel. */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Buffer;
}

export interface ReadRegionOptions {
  /** 'rgb' (default): composited over `background`; 'rgba': straight (un-premultiplied) alpha. */
  readonly format?: 'rgb' | 'rgba';
  /** Colour behind transparent pixels for 'rgb'; defaults to the slide's background colour. */
  readonly background?: readonly [number, number, number];
}

export interface Slide {
  readonly path: string;
  readonly info: SlideInfo;
  /** OpenSlide's rule: the level whose downsample is the largest not above `downsample`. */
  bestLevelForDownsample(downsample: number): number;
  /**
   * Reads a region on the libuv thread pool. `level0X/level0Y` are the top-left corner in level-0 pixels;
   * `width/height` are in pixels of `level`. Parts outside the slide read as transparent (or the
   * background for 'rgb'); a region lying entirely outside, or above MAX_REGION_PIXELS, is refused with
   * SlideError 'INVALID_ARGUMENT'. A failed read rejects with 'READ_FAILED' and sets `failed`.
   */
  readRegion(
    level0X: number,
    level0Y: number,
    level: number,
    width: number,
    height: number,
    options?: ReadRegionOptions,
  ): Promise<RasterImage>;
  /** Reads one of `info.associatedImages` (label, macro, thumbnail, ...) on the thread pool. */
  readAssociatedImage(name: string, options?: ReadRegionOptions): Promise<RasterImage>;
  /** True once a read failed: OpenSlide errors latch on a handle, so the cache must reopen it. */
  readonly failed: boolean;
  /** True after close(). */
  readonly closed: boolean;
  /** Closes the handle; reads already in flight finish first, later calls throw SlideError 'CLOSED'. */
  close(): void;
}
