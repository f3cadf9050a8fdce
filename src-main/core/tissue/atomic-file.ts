import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Suffix of in-progress files; a file with it is never read as a result. */
export const TEMP_SUFFIX = '.partial';

/** Called after the temporary file is complete and before it is renamed; fault injection in tests. */
export type BeforeRenameHook = (tempPath: string, finalPath: string) => void | Promise<void>;

/**
 * Writes a file atomically: a uniquely named temporary file in the same folder (same file system, so the
 * rename is atomic), flushed, then renamed over the final name. Readers see the old file or the new one,
 * never a torn one; concurrent writers each rename a complete file, the last one wins. A process killed
 * mid-write leaves only a `*.partial` file, which readers ignore and `removeStaleTemporaryFiles` deletes.
 */
export async function writeFileAtomic(
  finalPath: string,
  bytes: Uint8Array,
  beforeRename?: BeforeRenameHook,
): Promise<void> {
  const tempPath = join(
    dirname(finalPath),
    `.${basename(finalPath)}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
  const handle = await open(tempPath, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    if (beforeRename) await beforeRename(tempPath, finalPath);
    await rename(tempPath, finalPath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

/** Deletes `*.partial` files in `dir` older than `olderThanMs` (left by killed writers); returns how many. */
export async function removeStaleTemporaryFiles(
  dir: string,
  olderThanMs: number,
  nowMs = Date.now(),
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (nowMs - info.mtimeMs >= olderThanMs) {
        await unlink(path);
        removed++;
      }
    } catch {
      // Another process removed or renamed it meanwhile.
    }
  }
  return removed;
}
