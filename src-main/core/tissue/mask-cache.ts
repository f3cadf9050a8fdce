import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BeforeRenameHook, removeStaleTemporaryFiles, writeFileAtomic } from './atomic-file.js';
import { decodeMaskPng } from './png1bit.js';
import {
  TISSUE_MASK_ALGORITHM_VERSION,
  type TissueDetector,
  type TissueMask,
  type TissueMaskParameters,
  tissueMaskParametersKey,
} from './tissue-mask.js';

/** Mask outcome stored with a mask (a slide that cannot be read has no mask). */
export type StoredMaskOutcome = 'ok' | 'no-tissue' | 'all-tissue';

/** The JSON written beside each cached mask PNG. */
export interface MaskMetadata {
  readonly formatVersion: 1;
  readonly algorithmVersion: number;
  readonly paramsKey: string;
  readonly detector: TissueDetector;
  readonly parameters: TissueMaskParameters;
  readonly outcome: StoredMaskOutcome;
  /** Otsu threshold on the detector's channel, 0-255. */
  readonly threshold: number;
  readonly tissuePixels: number;
  /** 0-1. */
  readonly tissueFraction: number;
  readonly thumbnail: { readonly width: number; readonly height: number };
  readonly slide: {
    readonly quickhash: string;
    readonly level0Width: number;
    readonly level0Height: number;
    readonly vendor: string | null;
    /** Where the slide was when the mask was built; informational (the key is the quickhash). */
    readonly path: string;
  };
  readonly maskBytes: number;
  /** sha256 of the PNG, so a PNG and a JSON from different builds are never paired. */
  readonly maskSha256: string;
  /** Thumbnail + mask + encode time in ms. */
  readonly buildMs: number;
  /** When the mask was stored, ISO 8601 (UTC). */
  readonly builtAt: string;
  /** Why Otsu's split was judged glass only (outcome no-tissue); null or absent otherwise. */
  readonly noTissueReason?: string | null;
}

export interface CachedMask {
  readonly metadata: MaskMetadata;
  readonly png: Buffer;
  readonly mask: TissueMask;
  readonly pngPath: string;
}

export type MaskCacheLookup =
  | { readonly status: 'hit'; readonly entry: CachedMask }
  | { readonly status: 'miss' }
  /** Files exist but fail validation (truncated, corrupt, mismatched); the caller rebuilds and overwrites. */
  | { readonly status: 'invalid'; readonly reason: string };

export interface MaskCacheOptions {
  readonly cacheDir: string;
  /** Fault injection for tests: runs between writing a temporary file and renaming it. */
  readonly beforeRename?: BeforeRenameHook;
}

/**
 * Masks on disk: `<cacheDir>/masks/<quickhash>-<paramsKey>.png` (1-bit) and `.json` (MaskMetadata), and UI
 * thumbnails `<cacheDir>/thumbs/<quickhash>.jpg`. The quickhash changes with the slide's content and the
 * key with the parameters, so a stale mask is never found. Writes are atomic, PNG first and JSON last (the
 * JSON commits the entry); every read validates both files, so a torn or foreign file reads as `invalid`.
 */
export class MaskCache {
  readonly cacheDir: string;
  readonly masksDir: string;
  readonly thumbsDir: string;
  private readonly beforeRename: BeforeRenameHook | undefined;

  constructor(options: Readonly<MaskCacheOptions>) {
    this.cacheDir = options.cacheDir;
    this.masksDir = join(options.cacheDir, 'masks');
    this.thumbsDir = join(options.cacheDir, 'thumbs');
    this.beforeRename = options.beforeRename;
  }

  /** File paths of one mask entry. */
  maskPaths(quickhash: string, params: TissueMaskParameters): { png: string; json: string } {
    assertQuickhash(quickhash);
    const stem = join(this.masksDir, `${quickhash}-${tissueMaskParametersKey(params)}`);
    return { png: `${stem}.png`, json: `${stem}.json` };
  }

  /** Path of the UI thumbnail of a slide. */
  thumbnailPath(quickhash: string): string {
    assertQuickhash(quickhash);
    return join(this.thumbsDir, `${quickhash}.jpg`);
  }

  /** Looks a mask up and validates it completely (JSON fields, PNG checksums and size, pairing). */
  async read(quickhash: string, params: TissueMaskParameters): Promise<MaskCacheLookup> {
    const paths = this.maskPaths(quickhash, params);
    let jsonText: string;
    let png: Buffer;
    try {
      jsonText = await readFile(paths.json, 'utf8');
      png = await readFile(paths.png);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'miss' };
      return { status: 'invalid', reason: `cannot read cache entry: ${(error as Error).message}` };
    }
    let metadata: MaskMetadata;
    try {
      metadata = JSON.parse(jsonText) as MaskMetadata;
    } catch {
      return { status: 'invalid', reason: `${paths.json} is not valid JSON` };
    }
    const problem = metadataProblem(metadata, quickhash, params);
    if (problem) return { status: 'invalid', reason: `${paths.json}: ${problem}` };
    if (png.length !== metadata.maskBytes || sha256(png) !== metadata.maskSha256) {
      return { status: 'invalid', reason: `${paths.png} does not match its metadata` };
    }
    let mask: TissueMask;
    try {
      mask = decodeMaskPng(png);
    } catch (error) {
      return { status: 'invalid', reason: `${paths.png}: ${(error as Error).message}` };
    }
    if (mask.width !== metadata.thumbnail.width || mask.height !== metadata.thumbnail.height) {
      return { status: 'invalid', reason: `${paths.png} size differs from its metadata` };
    }
    return { status: 'hit', entry: { metadata, png, mask, pngPath: paths.png } };
  }

  /** Stores a mask (PNG, then the JSON that commits it); returns the stored metadata. */
  async write(
    metadata: Omit<
      MaskMetadata,
      'formatVersion' | 'algorithmVersion' | 'paramsKey' | 'detector' | 'maskBytes' | 'maskSha256' | 'builtAt'
    >,
    png: Buffer,
  ): Promise<MaskMetadata> {
    const paths = this.maskPaths(metadata.slide.quickhash, metadata.parameters);
    const full: MaskMetadata = {
      formatVersion: 1,
      algorithmVersion: TISSUE_MASK_ALGORITHM_VERSION,
      paramsKey: tissueMaskParametersKey(metadata.parameters),
      detector: metadata.parameters.detector,
      ...metadata,
      maskBytes: png.length,
      maskSha256: sha256(png),
      builtAt: new Date().toISOString(),
    };
    await mkdir(this.masksDir, { recursive: true });
    await writeFileAtomic(paths.png, png, this.beforeRename);
    await writeFileAtomic(paths.json, Buffer.from(`${JSON.stringify(full, null, 2)}\n`), this.beforeRename);
    return full;
  }

  /** Stores the UI thumbnail of a slide. */
  async writeThumbnail(quickhash: string, jpeg: Buffer): Promise<string> {
    const path = this.thumbnailPath(quickhash);
    await mkdir(this.thumbsDir, { recursive: true });
    await writeFileAtomic(path, jpeg, this.beforeRename);
    return path;
  }

  /** Deletes temporary files that killed writers left, older than `olderThanMs` (default one hour). */
  async removeStaleTemporaryFiles(olderThanMs = 3_600_000): Promise<number> {
    return (
      (await removeStaleTemporaryFiles(this.masksDir, olderThanMs)) +
      (await removeStaleTemporaryFiles(this.thumbsDir, olderThanMs))
    );
  }
}

function metadataProblem(m: MaskMetadata, quickhash: string, params: TissueMaskParameters): string | null {
  if (typeof m !== 'object' || m === null) return 'not an object';
  if (m.formatVersion !== 1) return `unknown format version ${String(m.formatVersion)}`;
  if (m.algorithmVersion !== TISSUE_MASK_ALGORITHM_VERSION) return 'built by another algorithm version';
  if (m.paramsKey !== tissueMaskParametersKey(params)) return 'built with other parameters';
  if (m.slide?.quickhash !== quickhash) return 'belongs to another slide';
  if (!['ok', 'no-tissue', 'all-tissue'].includes(m.outcome)) return `unknown outcome ${String(m.outcome)}`;
  if (!(m.tissueFraction >= 0 && m.tissueFraction <= 1)) return 'tissue fraction out of range';
  if (!Number.isInteger(m.thumbnail?.width) || !Number.isInteger(m.thumbnail?.height))
    return 'no thumbnail size';
  if (!Number.isInteger(m.maskBytes) || typeof m.maskSha256 !== 'string') return 'no mask checksum';
  return null;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function assertQuickhash(quickhash: string): void {
  // It becomes part of a file name: accept only OpenSlide's hex digits or the slide layer's 'file-<hex>'.
  if (!/^[0-9a-z-]{16,140}$/i.test(quickhash)) {
    throw new RangeError(`Expected a slide quickhash (hex digits) but received '${quickhash}'`);
  }
}
