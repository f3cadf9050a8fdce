import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLatestCheckpoint } from '../../../../../src-main/core/training/runs/checkpoints.js';
import { unpackArrays } from '../../../../../src-main/core/training/runs/packed-arrays.js';
import { startTraining } from '../../../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, readJson, slideDeps, tinyConfig, workspace } from './fixtures.js';

const ws = workspace(STAIN_DOMAINS);
afterAll(() => ws.done());

/** Stock TF.js: a weights loader over the file system (tf.io fetches over HTTP by default). */
const loadFromDisk = tf.io.weightsLoaderFactory((paths) =>
  Promise.all(
    paths.map(async (path) => {
      const bytes = await readFile(path);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }),
  ),
);

interface ExportedModelJson {
  readonly format: string;
  readonly architecture: { readonly model: string };
  readonly weightsManifest: tf.io.WeightsManifestConfig;
  readonly modelTopology?: unknown;
}

describe('exported generators (TensorFlow.js weights format)', () => {
  it.each([
    ['cyclegan', ['generatorAB', 'generatorBA'], 'cyclegan-generator'],
    ['progan', ['generatorEma'], 'progan-generator'],
  ] as const)(
    "%s: stock tf.io reads the export's weights manifest and gives the checkpoint's generator tensors",
    async (model, generators, architecture) => {
      const runDir = join(ws.root, `export-${model}`);
      const config = tinyConfig(ws, { model, steps: 1, checkpointEvery: 1 });
      await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done;
      const checkpoint = unpackArrays((await readLatestCheckpoint(runDir)).arrays);
      for (const name of generators) {
        const folder = join(runDir, 'export', name);
        const json = await readJson<ExportedModelJson>(join(folder, 'model.json'));
        expect(json).toMatchObject({
          format: 'histo-fetch-generator',
          architecture: { model: architecture },
        });
        expect(json.modelTopology).toBeUndefined();
        const tensors = await loadFromDisk(json.weightsManifest, `${folder}/`);
        const prefix = `weights/${name}/`;
        const saved = Object.keys(checkpoint).filter((k) => k.startsWith(prefix));
        expect(Object.keys(tensors).sort()).toEqual(saved.map((k) => k.slice(prefix.length)).sort());
        for (const [variable, tensor] of Object.entries(tensors)) {
          const expected = checkpoint[prefix + variable]!;
          expect(tensor.dtype).toBe('float32');
          expect(tensor.shape, variable).toEqual(expected.shape);
          expect(Array.from(await tensor.data()), variable).toEqual(Array.from(expected.data));
        }
        tf.dispose(Object.values(tensors));
      }
    },
  );
});
