/**
 * Loader and TypeScript types for our Node-API OpenSlide addon (`build/Release/openslide_binding.node`,
 * built by `npm run build:native`). The addon uses Node-API only and no external buffers, so the same
 * binary loads in Node.js and in Electron. The typed, validated API is `src-main/core/slide`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pixel layout of a read: 'rgb' composited over a background, or 'rgba' with straight alpha. */
export type NativePixelFormat = 'rgb' | 'rgba';

/** Codes set on errors thrown or rejected by the addon (`err.code`). */
export type NativeErrorCode = 'UNSUPPORTED_FORMAT' | 'READ_FAILED' | 'INVALID_ARGUMENT' | 'CLOSED';

/** Shape of an Error raised by the addon: `message` is "<path>: <detail>". */
export interface NativeError extends Error {
  readonly code: NativeErrorCode;
  /** The slide file concerned, or null (argument errors of module functions). */
  readonly path: string | null;
  /** The message without the path: OpenSlide's own text for read failures. */
  readonly detail: string;
}

/** An open OpenSlide handle. All methods throw a CLOSED error after close(). */
export interface NativeSlide {
  readonly path: string;
  /** Vendor from openslide_detect_vendor, or null. */
  readonly vendor: string | null;
  readonly closed: boolean;
  /** OpenSlide's latched error on this handle (it never clears), or null. */
  readonly error: string | null;
  levelCount(): number;
  /** [width, height] in pixels of `level`. */
  levelDimensions(level: number): [number, number];
  levelDownsample(level: number): number;
  bestLevelForDownsample(downsample: number): number;
  /** Every OpenSlide property, name -> value. */
  properties(): Record<string, string>;
  associatedImageNames(): string[];
  associatedImageDimensions(name: string): { width: number; height: number };
  /** Reads an associated image on the thread pool; 3 or 4 bytes per pixel as `format` says. */
  readAssociatedImage(
    name: string,
    format?: NativePixelFormat,
    background?: readonly [number, number, number],
  ): Promise<{ width: number; height: number; data: Buffer }>;
  /**
   * Reads a region on the libuv thread pool. `level0X/level0Y` in level-0 pixels, `width/height` in
   * pixels of `level`. Returns width*height*3 (rgb, over `background`, default white) or *4 bytes (rgba).
   */
  readRegion(
    level0X: number,
    level0Y: number,
    level: number,
    width: number,
    height: number,
    format?: NativePixelFormat,
    background?: readonly [number, number, number],
  ): Promise<Buffer>;
  /** Drops this object's reference; reads in flight keep the handle open until they finish. */
  close(): void;
}

/** The addon's module exports. */
export interface OpenSlideAddon {
  /** Detects the vendor and opens the slide on the thread pool. */
  open(path: string): Promise<NativeSlide>;
  /** Vendor name for a file without opening it, or null when OpenSlide does not recognise it. */
  detectVendor(path: string): string | null;
  /** libopenslide's version string. */
  version(): string;
  /** openslide_t handles open in this process right now (diagnostics and leak tests). */
  liveHandleCount(): number;
}

/** File name node-gyp gives the addon (target_name in binding.gyp). */
export const ADDON_FILE_NAME = 'openslide_binding.node';

/** Error thrown when the addon cannot be found or loaded; `code` is 'ADDON_MISSING'. */
export class AddonMissingError extends Error {
  readonly code = 'ADDON_MISSING';
  /** Paths that were tried, in order. */
  readonly searched: readonly string[];

  constructor(message: string, searched: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AddonMissingError';
    this.searched = searched;
  }
}

const FIXES =
  'To fix it:\n' +
  '  1. install OpenSlide and its headers: sudo apt-get install libopenslide-dev (or ./scripts/setup-debian.sh)\n' +
  '  2. build the addon from the repository root: npm run build:native';

/**
 * Where the addon may be, in order: `$HISTO_FETCH_OPENSLIDE_ADDON`, then, walking up from this module
 * to the package root (the first folder holding package.json), `<dir>/build/Release/` (running from
 * source) and `<dir>/src-main/native/openslide/build/Release/` (running from dist/ or out/).
 */
export function addonCandidates(
  fromDir: string = dirname(fileURLToPath(import.meta.url)),
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const candidates: string[] = [];
  const override = env['HISTO_FETCH_OPENSLIDE_ADDON'];
  if (override) candidates.push(override);
  const { root } = parse(fromDir);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    candidates.push(join(dir, 'build', 'Release', ADDON_FILE_NAME));
    candidates.push(join(dir, 'src-main', 'native', 'openslide', 'build', 'Release', ADDON_FILE_NAME));
    if (existsSync(join(dir, 'package.json')) || dir === root) break;
  }
  return [...new Set(candidates)];
}

let loadedFromDefault: OpenSlideAddon | undefined;

/**
 * Loads the addon from the first existing candidate (default: addonCandidates(), remembered once
 * found) and returns it. Throws AddonMissingError with the concrete fixes when it has not been built or
 * cannot be loaded (e.g. libopenslide.so.0 missing).
 */
export function loadOpenSlideAddon(candidates?: readonly string[]): OpenSlideAddon {
  if (candidates === undefined) {
    loadedFromDefault ??= loadFrom(addonCandidates());
    return loadedFromDefault;
  }
  return loadFrom(candidates);
}

function loadFrom(candidates: readonly string[]): OpenSlideAddon {
  const file = candidates.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new AddonMissingError(
      `The OpenSlide addon (${ADDON_FILE_NAME}) has not been built. Looked in:\n` +
        candidates.map((c) => `  ${c}`).join('\n') +
        `\n${FIXES}`,
      candidates,
    );
  }
  try {
    return createRequire(import.meta.url)(file) as OpenSlideAddon;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AddonMissingError(
      `The OpenSlide addon ${file} exists but cannot be loaded: ${reason}\n` +
        `${FIXES} (a rebuild also fixes an addon built for another platform)`,
      candidates,
      { cause },
    );
  }
}
