import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CycleganGenerator } from '../training/models/cyclegan.js';
import type { ProganGenerator } from '../training/models/progan.js';
import { loadGenerator } from '../training/weights.js';
import { InferenceError } from './errors.js';

/**
 * Digest of an exported generator (model.json + weights.bin): identifies the network a translation
 * was made with, so an interrupted one is resumed only with the same weights.
 */
export async function generatorDigest(folder: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of ['model.json', 'weights.bin']) {
    const path = join(folder, name);
    hash.update(
      await readFile(path).catch((error: Error) => {
        throw new InferenceError('BAD_GENERATOR', `Cannot read the generator: ${error.message}`, path);
      }),
    );
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Loads an exported CycleGAN generator (current backend); a ProGAN one is refused, naming the folder.
 * `scope` names its variables: two generators loaded at once need different scopes.
 */
export async function loadCycleganGenerator(folder: string, scope = 'generator'): Promise<CycleganGenerator> {
  const loaded = await loadGenerator(folder, scope);
  if (loaded.model !== 'cyclegan-generator') {
    loaded.generator.dispose();
    throw new InferenceError(
      'BAD_GENERATOR',
      'This is a ProGAN generator; translation needs a CycleGAN generator',
      folder,
    );
  }
  return loaded.generator;
}

/** Loads an exported ProGAN generator (current backend); a CycleGAN one is refused, naming the folder. */
export async function loadProganGenerator(folder: string, scope = 'generator'): Promise<ProganGenerator> {
  const loaded = await loadGenerator(folder, scope);
  if (loaded.model !== 'progan-generator') {
    loaded.generator.dispose();
    throw new InferenceError(
      'BAD_GENERATOR',
      'This is a CycleGAN generator; generating images needs a ProGAN generator',
      folder,
    );
  }
  return loaded.generator;
}

/** Where a ProGAN generator's growing stood when it was exported (the trainer's `training.json`). */
export interface ProganExportState {
  readonly resolution: number;
  readonly alpha: number;
}

/**
 * Reads `training.json` beside an exported ProGAN generator, if there is one: a generator exported
 * mid-training has grown only to `resolution` (fading in with `alpha`), so images are made there.
 */
export async function readProganExportState(folder: string): Promise<ProganExportState | null> {
  const path = join(folder, 'training.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  let value: { resolution?: unknown; alpha?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch (error) {
    throw new InferenceError(
      'BAD_GENERATOR',
      `training.json is not valid JSON: ${(error as Error).message}`,
      path,
    );
  }
  const { resolution, alpha } = value;
  if (typeof resolution !== 'number' || typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
    throw new InferenceError(
      'BAD_GENERATOR',
      'training.json lacks a resolution and an alpha in [0, 1]',
      path,
    );
  }
  return { resolution, alpha };
}
