import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from './errors.js';
import { runPaths } from './layout.js';
import type { PackedArrayEntry, PackedArrays } from './packed-arrays.js';

const FORMAT = 'histo-fetch-checkpoint';
const FORMAT_VERSION = 1;
const TENSORS_FILE = 'tensors.bin';
const STATE_FILE = 'state.json';

/** Everything a checkpoint holds: the step, JSON state by part (session, sampler...), and the tensors. */
export interface Checkpoint {
  readonly step: number;
  /** JSON-safe state by part, e.g. `session` (trainer) and `data` (sampler). */
  readonly parts: Readonly<Record<string, unknown>>;
  /** Float32 tensors (little-endian on disk, as every platform Node runs on). */
  readonly arrays: PackedArrays;
}

/** A checkpoint read back, with the folder it came from. */
export interface LoadedCheckpoint extends Checkpoint {
  readonly folder: string;
}

interface StateFile {
  readonly format: typeof FORMAT;
  readonly formatVersion: number;
  readonly step: number;
  readonly createdAt: string;
  readonly parts: Record<string, unknown>;
  readonly tensors: { readonly bytes: number; readonly sha256: string; readonly entries: PackedArrayEntry[] };
}

export interface WriteCheckpointOptions {
  /** Checkpoints kept (the newest, the new one included); older ones are deleted after the pointer moves. */
  readonly keep: number;
  /**
   * Test hook: called after half of the tensors are written and flushed, before the rest. The fault
   * injection (HISTO_FETCH_FAULT) kills the process here to show a crash never harms the last checkpoint.
   */
  readonly midWrite?: (step: number) => void;
}

/**
 * Writes a checkpoint atomically (DESIGN.md): files into `checkpoints/<step>.tmp-<random>/`, each flushed,
 * the folder renamed to `checkpoints/<step>/`, then the `latest` pointer replaced by temp file + rename,
 * then checkpoints beyond the newest `keep` deleted. A crash at any point leaves `latest` naming a complete
 * checkpoint. Returns the new folder.
 */
export async function writeCheckpoint(
  runDir: string,
  checkpoint: Checkpoint,
  options: Readonly<WriteCheckpointOptions>,
): Promise<string> {
  const paths = runPaths(runDir);
  const { step } = checkpoint;
  if (!Number.isSafeInteger(step) || step < 0)
    throw new RangeError(`Expected a step >= 0 but received ${step}`);
  await mkdir(paths.checkpoints, { recursive: true });
  const temp = join(paths.checkpoints, `${step}.tmp-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  const bytes = new Uint8Array(checkpoint.arrays.buffer);
  const half = Math.floor(bytes.byteLength / 2 / 4) * 4;
  await writeFlushed(join(temp, TENSORS_FILE), [bytes.subarray(0, half), bytes.subarray(half)], () =>
    options.midWrite?.(step),
  );
  const state: StateFile = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    step,
    createdAt: new Date().toISOString(),
    parts: { ...checkpoint.parts },
    tensors: {
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      entries: [...checkpoint.arrays.entries],
    },
  };
  await writeFlushed(join(temp, STATE_FILE), [Buffer.from(`${JSON.stringify(state)}\n`)]);
  const folder = paths.checkpoint(step);
  // A folder of this step that `latest` does not name is left over from a crash after its rename.
  await rm(folder, { recursive: true, force: true });
  await rename(temp, folder);
  await flushFolder(paths.checkpoints);
  const pointerTemp = `${paths.latest}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFlushed(pointerTemp, [Buffer.from(`${step}\n`)]);
  await rename(pointerTemp, paths.latest);
  await flushFolder(paths.checkpoints);
  await pruneCheckpoints(runDir, step, options.keep);
  return folder;
}

/** Steps of the complete checkpoint folders (named by their step), ascending. */
export async function listCheckpointSteps(runDir: string): Promise<number[]> {
  const entries = await readdir(runPaths(runDir).checkpoints, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && /^\d+$/.test(e.name))
    .map((e) => Number(e.name))
    .sort((a, b) => a - b);
}

/** The step the `latest` pointer names, or null when there is no pointer yet. */
export async function readLatestStep(runDir: string): Promise<number | null> {
  const path = runPaths(runDir).latest;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunError(
      'BAD_CHECKPOINT',
      `Cannot read the latest-checkpoint pointer: ${(error as Error).message}`,
      path,
    );
  }
  if (!/^\d+\n?$/.test(text))
    throw new RunError('BAD_CHECKPOINT', 'The latest-checkpoint pointer is not a step', path);
  return Number(text.trim());
}

/**
 * Loads the checkpoint `latest` names, verifying its files (format, sizes, checksum). Throws RunError
 * 'NO_CHECKPOINT' when the run has none yet and 'BAD_CHECKPOINT' (naming the file) when it is damaged.
 */
export async function readLatestCheckpoint(runDir: string): Promise<LoadedCheckpoint> {
  const step = await readLatestStep(runDir);
  if (step === null) {
    throw new RunError('NO_CHECKPOINT', 'The run has no checkpoint yet', runPaths(runDir).checkpoints);
  }
  return readCheckpoint(runPaths(runDir).checkpoint(step));
}

/** Loads and verifies one checkpoint folder. */
export async function readCheckpoint(folder: string): Promise<LoadedCheckpoint> {
  const statePath = join(folder, STATE_FILE);
  const tensorsPath = join(folder, TENSORS_FILE);
  let state: StateFile;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as StateFile;
  } catch (error) {
    throw new RunError(
      'BAD_CHECKPOINT',
      `Cannot read the checkpoint state: ${(error as Error).message}`,
      statePath,
    );
  }
  if (
    state.format !== FORMAT ||
    state.formatVersion !== FORMAT_VERSION ||
    !Number.isSafeInteger(state.step)
  ) {
    throw new RunError('BAD_CHECKPOINT', `Not a ${FORMAT} v${FORMAT_VERSION} state file`, statePath);
  }
  let data: Buffer;
  try {
    data = await readFile(tensorsPath);
  } catch (error) {
    throw new RunError(
      'BAD_CHECKPOINT',
      `Cannot read the checkpoint tensors: ${(error as Error).message}`,
      tensorsPath,
    );
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (data.byteLength !== state.tensors.bytes || sha256 !== state.tensors.sha256) {
    throw new RunError(
      'BAD_CHECKPOINT',
      `The tensors file is damaged (${data.byteLength} bytes, expected ${state.tensors.bytes}, or its checksum differs)`,
      tensorsPath,
    );
  }
  // A fresh, aligned buffer: Float32Array views need a 4-byte aligned offset.
  const buffer = new ArrayBuffer(data.byteLength);
  new Uint8Array(buffer).set(data);
  return { folder, step: state.step, parts: state.parts, arrays: { buffer, entries: state.tensors.entries } };
}

/**
 * Deletes checkpoint folders other than the newest `keep` up to `latestStep`, folders of later steps (left
 * by a run that crashed before moving the pointer, then resumed) and temporary folders of unfinished writes.
 */
export async function pruneCheckpoints(runDir: string, latestStep: number, keep: number): Promise<void> {
  const dir = runPaths(runDir).checkpoints;
  const steps = await listCheckpointSteps(runDir);
  const kept = new Set(steps.filter((s) => s <= latestStep).slice(-Math.max(1, keep)));
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const stale = /^\d+$/.test(e.name) ? !kept.has(Number(e.name)) : /\.tmp-[0-9a-f]+$/.test(e.name);
    if (stale) await rm(join(dir, e.name), { recursive: true, force: true });
  }
}

/** Writes chunks to a new file and flushes it to disk; `between` runs after the first chunk is flushed. */
async function writeFlushed(
  path: string,
  chunks: readonly Uint8Array[],
  between?: () => void,
): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    for (const [i, chunk] of chunks.entries()) {
      await handle.write(chunk);
      if (i === 0 && between) {
        await handle.sync();
        between();
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (renames) to disk; some file systems refuse, which is harmless here. */
async function flushFolder(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EINVAL on platforms without directory fsync: the rename is still atomic.
  }
}

/** Bytes a checkpoint folder takes (for the UI and reports). */
export async function checkpointBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of [TENSORS_FILE, STATE_FILE]) total += (await stat(join(folder, name))).size;
  return total;
}
