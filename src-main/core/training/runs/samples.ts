import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import sharp from 'sharp';
import type { SampleGrid } from '../trainer/sample-grid.js';
import { runPaths } from './layout.js';

/** Tiles are enlarged (nearest neighbour) to at least this side, so tiny-preset grids stay visible. */
const MIN_TILE_PX = 128;

/** Writes a sample grid as `samples/<step>.png` (temp file + rename); returns its path. */
export async function writeSampleGrid(runDir: string, step: number, grid: SampleGrid): Promise<string> {
  const paths = runPaths(runDir);
  await mkdir(paths.samples, { recursive: true });
  const scale = Math.max(1, Math.ceil(MIN_TILE_PX / grid.tileSizePx));
  const target = paths.sample(step);
  const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } })
      .resize(grid.width * scale, grid.height * scale, { kernel: 'nearest' })
      .png()
      .toFile(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return target;
}

/** The run's sample grids by step, ascending. */
export async function listSamples(runDir: string): Promise<{ step: number; path: string }[]> {
  const paths = runPaths(runDir);
  const names = await readdir(paths.samples).catch(() => [] as string[]);
  return names
    .map((name) => /^(\d+)\.png$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: paths.sample(Number(m[1])) }))
    .sort((a, b) => a.step - b.step);
}

/** Deletes sample grids of steps after `step` (a resume from an earlier checkpoint draws them again). */
export async function removeSamplesAfter(runDir: string, step: number): Promise<void> {
  for (const s of await listSamples(runDir)) if (s.step > step) await rm(s.path, { force: true });
}
