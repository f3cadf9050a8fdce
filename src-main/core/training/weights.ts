import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrainingError } from './errors.js';
import {
  createCycleganGenerator,
  type CycleganGenerator,
  type CycleganGeneratorConfig,
} from './models/cyclegan.js';
import type { InitialValues, ModelVariables } from './models/parameters.js';
import { createProganGenerator, type ProganConfig, type ProganGenerator } from './models/progan.js';
import type { NamedArrays } from './optim/optimizer.js';

/** Reads every variable back to the CPU (`await data()`, which works on every backend). */
export async function readWeights(variables: ModelVariables): Promise<NamedArrays> {
  const out: NamedArrays = {};
  for (const [name, v] of Object.entries(variables)) {
    out[name] = { shape: v.shape.slice(), data: Float32Array.from(await v.data()) };
  }
  return out;
}

/**
 * Assigns saved arrays to a model's variables. Every variable must have an array of the same shape,
 * and every array a variable; otherwise a TrainingError 'WEIGHTS_MISMATCH' names the first one (and
 * `file`, when given). Nothing is assigned unless everything matches.
 */
export function assignWeights(
  variables: ModelVariables,
  arrays: NamedArrays,
  file: string | null = null,
): void {
  for (const [name, v] of Object.entries(variables)) {
    const a = arrays[name];
    if (!a) throw new TrainingError('WEIGHTS_MISMATCH', `No saved weights for variable '${name}'`, file);
    checkShape(name, v.shape, a, file);
  }
  const extra = Object.keys(arrays).find((name) => !variables[name]);
  if (extra)
    throw new TrainingError(
      'WEIGHTS_MISMATCH',
      `Saved weights '${extra}' match no variable of the model`,
      file,
    );
  tf.tidy(() => {
    for (const [name, v] of Object.entries(variables)) v.assign(tf.tensor(arrays[name]!.data, v.shape));
  });
}

function checkShape(
  name: string,
  shape: readonly number[],
  array: NamedArrays[string],
  file: string | null,
): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (array.shape.join() !== shape.join() || array.data.length !== size) {
    throw new TrainingError(
      'WEIGHTS_MISMATCH',
      `Variable '${name}' has shape [${shape.join(', ')}] but the saved weights have ` +
        `[${array.shape.join(', ')}] (${array.data.length} values)`,
      file,
    );
  }
}

/** Which generator a model.json holds, with what it needs to be rebuilt. */
export type GeneratorArchitecture =
  | { readonly model: 'cyclegan-generator'; readonly config: CycleganGeneratorConfig }
  | { readonly model: 'progan-generator'; readonly config: ProganConfig };

export type LoadedGenerator =
  | { readonly model: 'cyclegan-generator'; readonly generator: CycleganGenerator }
  | { readonly model: 'progan-generator'; readonly generator: ProganGenerator };

const FORMAT = 'histo-fetch-generator';
const FORMAT_VERSION = 1;
const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes a generator as a TensorFlow.js weights folder: `model.json` (a `weightsManifest` whose
 * names drop the model's scope, plus our `architecture`) and `weights.bin` (float32, tf.io's
 * encoding). Files are written under temporary names and renamed, so a reader never sees half a file.
 */
export async function exportGenerator(
  generator: CycleganGenerator | ProganGenerator,
  architecture: GeneratorArchitecture,
  folder: string,
): Promise<void> {
  const prefix = `${generator.scope}/`;
  const named: tf.NamedTensorMap = {};
  for (const [name, v] of Object.entries(generator.variables)) named[name.slice(prefix.length)] = v;
  const { data, specs } = await tf.io.encodeWeights(named);
  const modelJson = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    generatedBy: 'histo-fetch workbench',
    architecture,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  await mkdir(folder, { recursive: true });
  const weightsPath = join(folder, WEIGHTS_FILE);
  const jsonPath = join(folder, 'model.json');
  await writeFile(`${weightsPath}.tmp`, new Uint8Array(data));
  await writeFile(`${jsonPath}.tmp`, `${JSON.stringify(modelJson, null, 2)}\n`);
  await rename(`${weightsPath}.tmp`, weightsPath);
  await rename(`${jsonPath}.tmp`, jsonPath);
}

/**
 * Loads a folder written by exportGenerator and rebuilds the generator with its weights.
 * Bad or mismatched files give a TrainingError ('BAD_MODEL_FILE' or 'WEIGHTS_MISMATCH') naming them.
 */
export async function loadGenerator(folder: string, scope = 'generator'): Promise<LoadedGenerator> {
  const jsonPath = join(folder, 'model.json');
  const json = await readJson(jsonPath);
  if (json.format !== FORMAT || json.formatVersion !== FORMAT_VERSION) {
    throw new TrainingError('BAD_MODEL_FILE', `Not a ${FORMAT} v${FORMAT_VERSION} model.json`, jsonPath);
  }
  const architecture = json.architecture as GeneratorArchitecture | undefined;
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  const group = manifest?.[0];
  if (!architecture || !group || group.paths.length !== 1) {
    throw new TrainingError(
      'BAD_MODEL_FILE',
      'model.json lacks its architecture or weightsManifest',
      jsonPath,
    );
  }
  const binPath = join(folder, group.paths[0]!);
  const buffer = await readFile(binPath).catch((error: Error) => {
    throw new TrainingError('BAD_MODEL_FILE', `Cannot read the weights: ${error.message}`, binPath);
  });
  const expectedBytes = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (
    group.weights.some((w) => (w.dtype ?? 'float32') !== 'float32') ||
    buffer.byteLength !== expectedBytes
  ) {
    throw new TrainingError(
      'BAD_MODEL_FILE',
      `Weights file has ${buffer.byteLength} bytes; the manifest describes ${expectedBytes} bytes of float32`,
      binPath,
    );
  }
  const arrays = await decode(buffer, group.weights);
  const values: InitialValues = (spec) => {
    const local = spec.name.slice(scope.length + 1);
    const a = arrays[local];
    if (!a) throw new TrainingError('WEIGHTS_MISMATCH', `No saved weights for variable '${local}'`, binPath);
    checkShape(local, spec.shape, a, binPath);
    return a.data;
  };
  const expectedNames = new Set<string>();
  const tracked: InitialValues = (spec) => {
    expectedNames.add(spec.name.slice(scope.length + 1));
    return values(spec);
  };
  let loaded: LoadedGenerator;
  try {
    loaded =
      architecture.model === 'cyclegan-generator'
        ? {
            model: architecture.model,
            generator: createCycleganGenerator(architecture.config, tracked, scope),
          }
        : architecture.model === 'progan-generator'
          ? {
              model: architecture.model,
              generator: createProganGenerator(architecture.config, tracked, scope),
            }
          : badArchitecture(jsonPath);
  } catch (error) {
    if (error instanceof TrainingError) throw error;
    throw new TrainingError(
      'BAD_MODEL_FILE',
      `Cannot build the generator: ${(error as Error).message}`,
      jsonPath,
    );
  }
  const extra = Object.keys(arrays).find((name) => !expectedNames.has(name));
  if (extra) {
    loaded.generator.dispose();
    throw new TrainingError(
      'WEIGHTS_MISMATCH',
      `Saved weights '${extra}' match no variable of the model`,
      binPath,
    );
  }
  return loaded;
}

async function decode(buffer: Buffer, specs: tf.io.WeightsManifestEntry[]): Promise<NamedArrays> {
  const tensors = tf.io.decodeWeights(Uint8Array.from(buffer).buffer, specs);
  const arrays: NamedArrays = {};
  try {
    for (const [name, t] of Object.entries(tensors)) {
      arrays[name] = { shape: t.shape.slice(), data: Float32Array.from(await t.data()) };
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return arrays;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrainingError('BAD_MODEL_FILE', `Cannot read model.json: ${(error as Error).message}`, path);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new TrainingError(
      'BAD_MODEL_FILE',
      `model.json is not valid JSON: ${(error as Error).message}`,
      path,
    );
  }
  throw new TrainingError('BAD_MODEL_FILE', 'model.json is not a JSON object', path);
}

function badArchitecture(path: string): never {
  throw new TrainingError('BAD_MODEL_FILE', 'model.json names an unknown generator architecture', path);
}
