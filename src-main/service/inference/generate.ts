import sharp from 'sharp';
import type { GenerateRequest, GenerateResponse, ImageBytes } from '../../contract/index.js';
import { readLatestStep } from '../../core/training/runs/checkpoints.js';
import { runPaths } from '../../core/training/runs/layout.js';
import { readRunConfig } from '../../core/training/runs/run-config.js';
import { ServiceError } from '../errors.js';
import { resolveRunDir } from '../runs/run-folder.js';
import type { RawImage } from './worker-protocol.js';
import { runWorkerTask } from './worker-task.js';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

async function png(image: RawImage): Promise<ImageBytes> {
  const bytes = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
  return { mime: 'image/png', widthPx: image.width, heightPx: image.height, bytes };
}

/**
 * ProGAN images from a run's EMA generator (latest checkpoint, else its export), at the resolution
 * growing reached: `count` images, their grid, and optionally a latent interpolation strip, as PNGs.
 * The forward passes run in a worker thread; the same seed gives the same images.
 */
export async function generateImages(runsDir: string, request: GenerateRequest): Promise<GenerateResponse> {
  const runDir = await resolveRunDir(runsDir, request.runId);
  const { config } = await readRunConfig(runDir).catch((error: unknown) => {
    throw new ServiceError(
      'INVALID_REQUEST',
      `The run '${request.runId}' cannot be used: ${(error as Error).message}`,
      {
        path: runDir,
      },
    );
  });
  if (config.model !== 'progan') {
    throw new ServiceError(
      'INVALID_REQUEST',
      `The run '${request.runId}' is a ${config.model} run; generating images needs a ProGAN run`,
      { path: runDir },
    );
  }
  const step = await readLatestStep(runDir).catch(() => null);
  const exported = await access(join(runPaths(runDir).export, 'generatorEma', 'model.json')).then(
    () => true,
    () => false,
  );
  if (step === null && !exported) {
    throw new ServiceError('NOT_READY', `The run '${request.runId}' has no checkpoint and no export yet`, {
      path: runDir,
    });
  }
  const steps = request.interpolationSteps ?? 0;
  if (steps === 1) {
    throw new ServiceError('INVALID_REQUEST', 'An interpolation strip needs 0 (none) or 2 to 16 images', {
      issues: [{ field: 'interpolationSteps', message: 'Expected 0 or 2 to 16 images' }],
    });
  }
  const outcome = await runWorkerTask({
    kind: 'generate',
    runDir,
    count: request.count,
    seed: request.seed ?? 1,
    interpolationSteps: steps,
    backend: request.backend ?? 'auto',
  });
  if (outcome.kind !== 'generated')
    throw new ServiceError('INTERNAL', 'The generator worker answered nothing');
  return {
    images: await Promise.all(outcome.images.map(png)),
    grid: await png(outcome.grid),
    interpolation: outcome.interpolation ? await png(outcome.interpolation) : null,
    resolution: outcome.resolution,
    generatorStep: outcome.step,
  };
}
