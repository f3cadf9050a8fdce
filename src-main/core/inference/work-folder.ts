import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceError } from './errors.js';

const FORMAT_VERSION = 1;

/** Progress of one pyramid level in the work folder. */
interface LevelProgress {
  rowsDone: number;
  /** Bytes of the JPEG tiles in rows 0..rowsDone-1 (blank tiles excluded: they are stored once). */
  tileBytes: number;
}

interface WorkIndex {
  formatVersion: number;
  /** Everything the output depends on; a work folder is resumed only for an identical job. */
  job: unknown;
  levels: LevelProgress[];
}

/** How a work folder was found when a translation started. */
export interface WorkFolderOpening {
  readonly work: TranslationWorkFolder;
  /** True when finished rows of an earlier run of the same job were found and are kept. */
  readonly resumed: boolean;
  /** Why an existing folder was thrown away (it belonged to another job or was unreadable), else null. */
  readonly discarded: string | null;
}

/**
 * The work folder beside the output (`OUT.tif.partial/`): finished rows of TIFF tiles per pyramid level
 * (JPEG bytes, one file per row, written atomically) and `index.json`, which says how many rows of each
 * level are done. A rerun of the same job continues after the last finished row; the folder is deleted
 * once the TIFF is complete.
 */
export class TranslationWorkFolder {
  private constructor(
    readonly folder: string,
    private readonly index: WorkIndex,
  ) {}

  /** Opens (or creates) the folder for `job`, keeping earlier rows only if they were made for the same job. */
  static async open(folder: string, job: unknown, levelCount: number): Promise<WorkFolderOpening> {
    const indexPath = join(folder, 'index.json');
    let discarded: string | null = null;
    const existing = await readFile(indexPath, 'utf8').then(
      (text) => text,
      () => null,
    );
    if (existing !== null) {
      let index: WorkIndex | null = null;
      try {
        index = JSON.parse(existing) as WorkIndex;
      } catch {
        discarded = 'its index.json was not valid JSON';
      }
      if (index) {
        if (index.formatVersion !== FORMAT_VERSION)
          discarded = `it has format version ${index.formatVersion}`;
        else if (JSON.stringify(index.job) !== JSON.stringify(job))
          discarded = describeDifference(index.job, job);
        else if (!Array.isArray(index.levels) || index.levels.length !== levelCount)
          discarded = 'its levels differ';
        else {
          const work = new TranslationWorkFolder(folder, index);
          return { work, resumed: index.levels.some((l) => l.rowsDone > 0), discarded: null };
        }
      }
    }
    await rm(folder, { recursive: true, force: true });
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new InferenceError(
        'WORK_FOLDER_INVALID',
        `Cannot create the work folder: ${(error as Error).message}`,
        folder,
      );
    }
    const index: WorkIndex = {
      formatVersion: FORMAT_VERSION,
      job,
      levels: Array.from({ length: levelCount }, () => ({ rowsDone: 0, tileBytes: 0 })),
    };
    const work = new TranslationWorkFolder(folder, index);
    await work.saveIndex();
    return { work, resumed: false, discarded };
  }

  rowsDone(level: number): number {
    return this.index.levels[level]!.rowsDone;
  }

  /** Bytes of all non-blank tiles stored, over every level. */
  get tileBytes(): number {
    return this.index.levels.reduce((n, l) => n + l.tileBytes, 0);
  }

  /** Stores row `row` of `level` (the next one: rows are written in order); null tiles are blank. */
  async writeRow(level: number, row: number, tiles: readonly (Uint8Array | null)[]): Promise<void> {
    const progress = this.index.levels[level]!;
    if (row !== progress.rowsDone) {
      throw new Error(`Row ${row} of level ${level} written out of order (next is ${progress.rowsDone})`);
    }
    const path = this.rowPath(level, row);
    await mkdir(join(this.folder, `level-${level}`), { recursive: true });
    const data = encodeRow(tiles);
    await writeFile(`${path}.tmp`, data);
    await rename(`${path}.tmp`, path);
    progress.rowsDone = row + 1;
    progress.tileBytes += data.length - 4 * (tiles.length + 1);
    await this.saveIndex();
  }

  /** Reads a stored row back: its tiles' JPEG bytes, null for blank tiles. */
  async readRow(level: number, row: number): Promise<(Uint8Array | null)[]> {
    const path = this.rowPath(level, row);
    const data = await readFile(path).catch((error: Error) => {
      throw new InferenceError('WORK_FOLDER_INVALID', `Cannot read a finished row: ${error.message}`, path);
    });
    const tiles = decodeRow(data);
    if (!tiles)
      throw new InferenceError('WORK_FOLDER_INVALID', 'A finished row is truncated or damaged', path);
    return tiles;
  }

  /** Deletes the folder (once the TIFF is complete). */
  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }

  private rowPath(level: number, row: number): string {
    return join(this.folder, `level-${level}`, `row-${String(row).padStart(6, '0')}.bin`);
  }

  private async saveIndex(): Promise<void> {
    const path = join(this.folder, 'index.json');
    await writeFile(`${path}.tmp`, `${JSON.stringify(this.index)}\n`);
    await rename(`${path}.tmp`, path);
  }
}

/** Row file: tile count (u32 LE), each tile's byte length (0 = blank), then the bytes. */
function encodeRow(tiles: readonly (Uint8Array | null)[]): Buffer {
  const header = Buffer.alloc(4 * (tiles.length + 1));
  header.writeUInt32LE(tiles.length, 0);
  tiles.forEach((t, i) => header.writeUInt32LE(t ? t.length : 0, 4 * (i + 1)));
  return Buffer.concat([header, ...tiles.filter((t): t is Uint8Array => t !== null)]);
}

function decodeRow(data: Buffer): (Uint8Array | null)[] | null {
  if (data.length < 4) return null;
  const count = data.readUInt32LE(0);
  if (data.length < 4 * (count + 1)) return null;
  let at = 4 * (count + 1);
  const tiles: (Uint8Array | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = data.readUInt32LE(4 * (i + 1));
    if (at + length > data.length) return null;
    tiles.push(length === 0 ? null : data.subarray(at, at + length));
    at += length;
  }
  return at === data.length ? tiles : null;
}

function describeDifference(before: unknown, now: unknown): string {
  if (before && now && typeof before === 'object' && typeof now === 'object') {
    const a = before as Record<string, unknown>;
    const b = now as Record<string, unknown>;
    const key = [...new Set([...Object.keys(a), ...Object.keys(b)])].find(
      (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
    );
    if (key) return `it was made with ${key} ${JSON.stringify(a[key])}, not ${JSON.stringify(b[key])}`;
  }
  return 'it was made for another job';
}
