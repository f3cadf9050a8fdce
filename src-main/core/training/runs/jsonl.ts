import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RunError } from './errors.js';

/**
 * Appends JSON lines to a file without blocking the thread (the trainer's host thread also feeds the
 * sampler). Appends are queued and written in order, one `write` per call, so a crash loses at most the
 * lines not yet written and leaves at most one torn last line, which the readers skip.
 */
export class JsonlAppender<T> {
  private handle: Promise<FileHandle>;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(readonly path: string) {
    this.handle = open(path, 'a');
    this.handle.catch((error: Error) => (this.failure = error));
  }

  /** Queues records for writing; errors surface on the next `flush` or `close`. */
  append(records: readonly T[]): void {
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await (await this.handle).write(text);
      } catch (error) {
        this.failure = error as Error;
      }
    });
  }

  /** Resolves when every queued record is written; rejects with the first write error. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw new RunError('BAD_RUN', `Cannot write: ${this.failure.message}`, this.path);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await (await this.handle.catch(() => null))?.close();
    }
  }
}

/**
 * Reads a JSON-lines file record by record (streamed: patch manifests grow large). A torn last line (a
 * crash mid-write) is skipped; any other bad line is a RunError naming the file and line.
 */
export async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let pending: { text: string; n: number } | null = null;
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (pending !== null) yield parseLine<T>(pending.text, pending.n, path);
      pending = line.trim() === '' ? null : { text: line, n };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (pending !== null) {
    try {
      yield JSON.parse(pending.text) as T;
    } catch {
      // A torn last line: the writer was killed mid-write.
    }
  }
}

/** Every record of a JSON-lines file ([] when the file does not exist). */
export async function readAllJsonl<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  for await (const record of readJsonl<T>(path)) out.push(record);
  return out;
}

/**
 * Rewrites a JSON-lines file keeping only the records `keep` accepts (temp file + rename), e.g. the
 * metrics up to the checkpoint a run resumes from. A missing file stays missing.
 */
export async function filterJsonl<T>(path: string, keep: (record: T) => boolean): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  let out: FileHandle | null = null;
  try {
    for await (const record of readJsonl<T>(path)) {
      out ??= await open(temp, 'wx');
      if (keep(record)) await out.write(`${JSON.stringify(record)}\n`);
    }
    if (out === null) return;
    await out.sync();
    await out.close();
    out = null;
    await rename(temp, path);
  } finally {
    await out?.close();
  }
}

function parseLine<T>(text: string, n: number, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RunError('BAD_RUN', `Line ${n} is not valid JSON (${(error as Error).message})`, path);
  }
}
