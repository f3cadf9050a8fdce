import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
  fsyncSync,
} from 'node:fs';

/**
 * The patch manifest: one JSON object per line (JSON lines), appended as patches are delivered.
 * Each record is written with one `write` call straight to the file (no user-space buffer), so a crash
 * loses at most the line being written; the reader ignores such a torn last line, and a writer that
 * reopens the file cuts it off before appending.
 */
export class ManifestWriter<T> {
  private fd: number | null;
  readonly path: string;

  /** Opens (creating or appending to) `path`. */
  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'a+');
    cutTornTail(this.fd);
  }

  /** Appends records, one line each, in one write. */
  append(records: readonly T[]): void {
    if (this.fd === null) throw new Error(`${this.path}: the manifest is closed`);
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeSync(this.fd, text);
  }

  /** Flushes to disk and closes; further appends throw. */
  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads a JSON-lines manifest; a torn (unterminated) last line is ignored. */
export function readManifest<T>(path: string): T[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  // The last element is '' after a final newline, or a line torn by a crash: drop it either way.
  lines.pop();
  const records: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (error) {
      throw new Error(`${path}: line ${i + 1} is not valid JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  return records;
}

/** Truncates the file after its last newline, so appends never glue onto a torn line. */
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 1 << 16));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const lastNewline = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (lastNewline >= 0) {
      const keep = start + lastNewline + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
