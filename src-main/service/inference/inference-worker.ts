/**
 * The inference worker thread: one task per worker (a translation or a ProGAN generation). TensorFlow.js
 * forward passes are long and synchronous, so they run here and never hold up the service's event loop
 * (the UI's tiles, the other jobs' events). A `cancel` message stops a translation at its next tile batch.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { composeGrid, interpolationLatents } from '../../core/inference/generate-images.js';
import { generatorDigest, loadCycleganGenerator } from '../../core/inference/generator-folder.js';
import { loadRunCycleganGenerator, loadRunProganGenerator } from '../../core/inference/run-generator.js';
import { slideTissueMask } from '../../core/inference/slide-mask.js';
import { generatorTileTransform } from '../../core/inference/tile-transform.js';
import { translateSlide } from '../../core/inference/translate-slide.js';
import { openSlide } from '../../core/slide/index.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { readRunConfig } from '../../core/training/runs/run-config.js';
import { generatePatches, seededLatents } from '../../core/training/eval/evaluate.js';
import type { CycleganGenerator } from '../../core/training/models/cyclegan.js';
import { exportGenerator } from '../../core/training/weights.js';
import type {
  ExportTask,
  FromInferenceWorker,
  GenerateTask,
  InferenceTask,
  RawImage,
  ToInferenceWorker,
  TranslateTask,
} from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('inference-worker must run in a worker thread');
const task = workerData as InferenceTask;
const controller = new AbortController();

function post(message: FromInferenceWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (message: ToInferenceWorker) => {
  if (message.kind === 'cancel') controller.abort();
});

async function loadGenerator(generator: TranslateTask['generator']): Promise<{
  generator: CycleganGenerator;
  digest: string;
}> {
  if (generator.kind === 'run') {
    const run = await loadRunCycleganGenerator(generator.runDir, generator.direction);
    return { generator: run.generator, digest: run.digest };
  }
  const loaded = await loadCycleganGenerator(generator.folder);
  return { generator: loaded, digest: await generatorDigest(generator.folder) };
}

async function translate(t: TranslateTask): Promise<void> {
  const { generator, digest } = await loadGenerator(t.generator);
  const slide = await openSlide(t.slidePath).catch((error: unknown) => {
    generator.dispose();
    throw error;
  });
  try {
    const mask = await slideTissueMask(t.slidePath, {
      cacheDir: t.cacheDir,
      detector: t.detector,
      openSlide,
    });
    if (controller.signal.aborted) return post({ kind: 'cancelled' });
    const result = await translateSlide(
      {
        slide,
        transform: generatorTileTransform(generator),
        transformId: digest,
        outPath: t.outPath,
        downsample: t.downsample,
        tissueMask: mask.mask,
        tileSizePx: t.tileSizePx,
        overlapPx: t.overlapPx,
        provenance: { generator: digest, ...t.provenance },
      },
      {
        signal: controller.signal,
        onProgress: (progress) => post({ kind: 'progress', progress }),
      },
    );
    post({ kind: 'translated', result });
  } finally {
    slide.close();
    generator.dispose();
  }
}

function transferable(image: RawImage): ArrayBuffer {
  return image.data.buffer as ArrayBuffer;
}

async function generate(t: GenerateTask): Promise<void> {
  const run = await loadRunProganGenerator(t.runDir);
  try {
    const { generator, resolution, alpha } = run;
    const latents = seededLatents(t.count, generator.config.latentSize, t.seed);
    const images = (await generatePatches(generator, latents, resolution, alpha)).map((p) => ({
      width: p.width,
      height: p.height,
      data: p.data,
    }));
    const grid = composeGrid(images, Math.ceil(Math.sqrt(images.length)));
    let interpolation: RawImage | null = null;
    if (t.interpolationSteps >= 2) {
      const path = interpolationLatents(generator.config.latentSize, t.interpolationSteps, t.seed);
      interpolation = composeGrid(
        await generatePatches(generator, path, resolution, alpha),
        t.interpolationSteps,
      );
    }
    const all = [...images, grid, ...(interpolation ? [interpolation] : [])];
    post({ kind: 'generated', resolution, step: run.step, images, grid, interpolation }, [
      ...new Set(all.map(transferable)),
    ]);
  } finally {
    run.generator.dispose();
  }
}

/** Writes the generator of a run's latest checkpoint as the trainer's export would (same format). */
async function exportFromCheckpoint(t: ExportTask): Promise<void> {
  const { model } = (await readRunConfig(t.runDir)).config;
  if (model === 'cyclegan') {
    const run = await loadRunCycleganGenerator(t.runDir, t.direction);
    try {
      await exportGenerator(
        run.generator,
        { model: 'cyclegan-generator', config: run.generator.config },
        t.folder,
      );
      post({ kind: 'exported', step: run.step });
    } finally {
      run.generator.dispose();
    }
    return;
  }
  const run = await loadRunProganGenerator(t.runDir);
  try {
    await exportGenerator(
      run.generator,
      { model: 'progan-generator', config: run.generator.config },
      t.folder,
    );
    const trained = { resolution: run.resolution, alpha: run.alpha, step: run.step };
    await writeFile(join(t.folder, 'training.json'), `${JSON.stringify(trained, null, 2)}\n`);
    post({ kind: 'exported', step: run.step });
  } finally {
    run.generator.dispose();
  }
}

try {
  const backend = await selectBackend({ preferred: task.backend });
  post({ kind: 'backend', name: backend.name, device: backend.device });
  if (task.kind === 'translate') await translate(task);
  else if (task.kind === 'export') await exportFromCheckpoint(task);
  else await generate(task);
} catch (error) {
  const { code, file, path } = error as { code?: unknown; file?: unknown; path?: unknown };
  const where = typeof file === 'string' ? file : typeof path === 'string' ? path : null;
  post({
    kind: 'failed',
    message: (error as Error).message ?? String(error),
    code: typeof code === 'string' ? code : null,
    path: where,
  });
}
// Nothing more to hear: the thread ends once its pending native work (reads, encodes) has settled.
port.close();
