import type { NativeSlide } from '../../native/openslide/index.js';
import { SlideError, toSlideError } from './errors.js';
import { bestLevelForDownsample } from './levels.js';
import type { RasterImage, ReadRegionOptions, Slide, SlideInfo } from './types.js';
import {
  describeValue,
  expectInteger,
  expectLevel,
  expectPixelFormat,
  expectPositiveInteger,
  expectPositiveNumber,
  expectRegionSize,
  expectRgb,
} from './validate.js';

/** Limits applied by a slide; see openSlide's options. */
export interface SlideLimits {
  readonly maxRegionPixels: number;
}

/** The Slide implementation over one native OpenSlide handle. Create it with openSlide(). */
export class OpenSlideSlide implements Slide {
  readonly info: SlideInfo;
  readonly #native: NativeSlide;
  readonly #limits: SlideLimits;
  #readFailed = false;

  constructor(native: NativeSlide, info: SlideInfo, limits: SlideLimits) {
    this.#native = native;
    this.info = info;
    this.#limits = limits;
  }

  get path(): string {
    return this.info.path;
  }

  get failed(): boolean {
    return this.#readFailed || (!this.#native.closed && this.#native.error !== null);
  }

  get closed(): boolean {
    return this.#native.closed;
  }

  bestLevelForDownsample(downsample: number): number {
    return bestLevelForDownsample(
      this.info.levels,
      expectPositiveNumber(downsample, 'downsample', this.path),
    );
  }

  async readRegion(
    level0X: number,
    level0Y: number,
    level: number,
    width: number,
    height: number,
    options: ReadRegionOptions = {},
  ): Promise<RasterImage> {
    this.#ensureOpen();
    const path = this.path;
    expectInteger(level0X, 'level0X', path);
    expectInteger(level0Y, 'level0Y', path);
    expectLevel(level, this.info.levels.length, path);
    expectPositiveInteger(width, 'width', path);
    expectPositiveInteger(height, 'height', path);
    expectRegionSize(width, height, this.#limits.maxRegionPixels, path);
    this.#ensureOverlapsSlide(level0X, level0Y, level, width, height);
    const format = expectPixelFormat(options.format, path);
    const background = this.#background(options);
    try {
      const data = await this.#native.readRegion(level0X, level0Y, level, width, height, format, background);
      return { width, height, channels: format === 'rgb' ? 3 : 4, data };
    } catch (error) {
      throw this.#readError(error);
    }
  }

  async readAssociatedImage(name: string, options: ReadRegionOptions = {}): Promise<RasterImage> {
    this.#ensureOpen();
    if (typeof name !== 'string' || !this.info.associatedImages.includes(name)) {
      const known = this.info.associatedImages.length ? this.info.associatedImages.join(', ') : 'none';
      throw new SlideError(
        'INVALID_ARGUMENT',
        this.path,
        `the slide has no associated image ${describeValue(name)} (it has: ${known})`,
      );
    }
    const format = expectPixelFormat(options.format, this.path);
    const background = this.#background(options);
    try {
      const image = await this.#native.readAssociatedImage(name, format, background);
      return {
        width: image.width,
        height: image.height,
        channels: format === 'rgb' ? 3 : 4,
        data: image.data,
      };
    } catch (error) {
      throw this.#readError(error);
    }
  }

  close(): void {
    this.#native.close();
  }

  #ensureOpen(): void {
    if (this.#native.closed) throw new SlideError('CLOSED', this.path, 'the slide is closed');
  }

  #background(options: ReadRegionOptions): readonly [number, number, number] {
    return options.background === undefined
      ? this.info.backgroundRgb
      : expectRgb(options.background, 'background', this.path);
  }

  /** A region entirely outside the slide is a caller bug (e.g. swapped or unscaled coordinates). */
  #ensureOverlapsSlide(level0X: number, level0Y: number, level: number, width: number, height: number): void {
    const { width: slideWidth, height: slideHeight } = this.info.levels[0]!;
    const downsample = this.info.levels[level]!.downsample;
    const right = level0X + width * downsample;
    const bottom = level0Y + height * downsample;
    if (right <= 0 || bottom <= 0 || level0X >= slideWidth || level0Y >= slideHeight) {
      throw new SlideError(
        'INVALID_ARGUMENT',
        this.path,
        `region x=${level0X} y=${level0Y} ${width}x${height} at level ${level} lies entirely outside the slide ` +
          `(level-0 size ${slideWidth}x${slideHeight})`,
      );
    }
  }

  #readError(error: unknown): SlideError {
    const slideError = toSlideError(error, this.path, this.info.vendor);
    if (slideError.code === 'READ_FAILED') this.#readFailed = true;
    return slideError;
  }
}
