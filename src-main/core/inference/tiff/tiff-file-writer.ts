import { open, rm, type FileHandle } from 'node:fs/promises';
import { InferenceError } from '../errors.js';
import {
  CLASSIC_TIFF_LIMIT_BYTES,
  encodeTiffDirectory,
  encodeTiffHeader,
  tiffDirectorySize,
  tiffHeaderSize,
  type TiffFormat,
  type TiffTag,
} from './tiff-directory.js';

/** Writes are gathered into chunks of this size: one syscall per chunk rather than per tile. */
const CHUNK_BYTES = 4 << 20;

/**
 * Writes a TIFF front to back with bounded memory: the header (its first-directory offset patched at
 * the end), then data blobs (tiles) appended in any order, then the directories, chained. Nothing is
 * held but the current write chunk.
 */
export class TiffFileWriter {
  private position: number;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(
    readonly path: string,
    readonly format: TiffFormat,
    private readonly file: FileHandle,
  ) {
    this.position = tiffHeaderSize(format);
  }

  /** Creates (truncates) `path` and reserves the header. */
  static async create(path: string, format: TiffFormat): Promise<TiffFileWriter> {
    let file: FileHandle;
    try {
      file = await open(path, 'w');
    } catch (error) {
      throw new InferenceError(
        'TIFF_WRITE_FAILED',
        `Cannot create the TIFF: ${(error as Error).message}`,
        path,
      );
    }
    const writer = new TiffFileWriter(path, format, file);
    writer.queue(encodeTiffHeader(format, 0));
    return writer;
  }

  /** Bytes written so far (the offset the next blob will get). */
  get sizeBytes(): number {
    return this.position;
  }

  /** Appends a blob at an even offset and returns that offset. */
  async append(data: Uint8Array): Promise<number> {
    const offset = this.position;
    this.checkOffset(offset + data.length);
    this.queue(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.position += data.length;
    if (this.position & 1) {
      this.queue(Buffer.alloc(1));
      this.position += 1;
    }
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush();
    return offset;
  }

  /**
   * Appends the directories (the first becomes the file's first image), links them, patches the
   * header, and closes the file. Returns the file size in bytes.
   */
  async finish(directories: readonly (readonly TiffTag[])[]): Promise<number> {
    const offsets: number[] = [];
    let at = this.position;
    for (const tags of directories) {
      offsets.push(at);
      at += tiffDirectorySize(tags, this.format);
    }
    this.checkOffset(at);
    directories.forEach((tags, i) => {
      this.queue(encodeTiffDirectory(tags, offsets[i]!, offsets[i + 1] ?? 0, this.format));
    });
    this.position = at;
    await this.flush();
    try {
      await this.file.write(encodeTiffHeader(this.format, offsets[0] ?? 0), 0, undefined, 0);
      await this.file.close();
    } catch (error) {
      throw this.writeError(error);
    }
    return at;
  }

  /** Closes and deletes the file (after an error or a cancellation). */
  async discard(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private queue(buffer: Buffer): void {
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending.length = 0;
    this.pendingBytes = 0;
    try {
      await this.file.write(chunk);
    } catch (error) {
      throw this.writeError(error);
    }
  }

  private checkOffset(end: number): void {
    if (this.format === 'classic' && end > CLASSIC_TIFF_LIMIT_BYTES) {
      throw new InferenceError(
        'TIFF_TOO_LARGE',
        `The TIFF grows past 4 GiB (${end} bytes) but was started as classic TIFF`,
        this.path,
      );
    }
  }

  private writeError(error: unknown): InferenceError {
    return new InferenceError(
      'TIFF_WRITE_FAILED',
      `Cannot write the TIFF: ${(error as Error).message}`,
      this.path,
    );
  }
}
