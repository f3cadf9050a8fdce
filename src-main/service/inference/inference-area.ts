import { realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  InferenceApi,
  PatchScale,
  TranslateRequest,
  TranslateResponse,
  TranslationSummary,
} from '../../contract/index.js';
import { downsampleForSlide } from '../../core/sampling/geometry.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { isInside, resolveInside } from '../workspace/path-guard.js';
import { generateImages } from './generate.js';
import { resolveGenerator } from './generator-source.js';
import { checkOutputFree, defaultOutputName, resolveOutputFolder } from './output-path.js';
import { startTranslationJob } from './translation-job.js';

function invalid(field: string, message: string): ServiceError {
  return new ServiceError('INVALID_REQUEST', `inference.translate: ${message}`, {
    issues: [{ field, message }],
  });
}

/**
 * Inference: whole-slide translation with a CycleGAN generator as a job (one at a time: the worker uses
 * every core it gets), the list of translations, and ProGAN generation. Paths follow the service's rules:
 * slides inside added folders, generators inside the runs folder, outputs in the run's `translations/`
 * unless the user picked another allowed folder.
 */
export function createInferenceArea(context: ServiceContext): InferenceApi {
  const { options, workspace, jobs, translations: registry } = context;

  /**
   * Leaves out translations whose files are gone (a deleted run, say): finished ones without their TIFF,
   * the others without their folder.
   */
  async function present(records: TranslationSummary[]): Promise<TranslationSummary[]> {
    const kept: TranslationSummary[] = [];
    for (const record of records) {
      const needed = record.state === 'done' ? record.outPath : dirname(record.outPath);
      if (record.state === 'running' || (await stat(needed).catch(() => null))) kept.push(record);
    }
    return kept;
  }

  /** Level-0 pixels per output pixel: opening the slide also checks OpenSlide reads it. */
  async function slideDownsample(slidePath: string, scale: PatchScale): Promise<number> {
    const slide = await context.slides.acquire(slidePath);
    try {
      return downsampleForSlide(scale, slide.info.mppX, slidePath);
    } catch (error) {
      throw invalid('scale', (error as Error).message);
    }
  }

  async function startTranslation(request: TranslateRequest): Promise<TranslateResponse> {
    const tileSizePx = request.tileSizePx ?? 256;
    const overlapPx = request.overlapPx ?? 32;
    if (tileSizePx % 4 !== 0)
      throw invalid(
        'tileSizePx',
        `The tile side must be a multiple of 4 (the generator's strides), not ${tileSizePx}`,
      );
    if (2 * overlapPx > tileSizePx)
      throw invalid(
        'overlapPx',
        `The overlap must be at most half the tile (${tileSizePx / 2} px), not ${overlapPx}`,
      );

    const generator = await resolveGenerator(request.generator, options.runsDir);
    const scale = request.scale ?? generator.scale;
    if (!scale)
      throw invalid('scale', 'An exported generator needs the scale it was trained at (downsample or mpp)');
    const slidePath = await resolveInside(request.slidePath, workspace.slideRoots(), 'slide');
    const downsample = await slideDownsample(slidePath, scale);
    // The generator learnt from patches on its source domain's masks: the slide is masked the same way
    // (fluorescence: saturation). An export has no config: the slide's own domain's detector, if any.
    const detector =
      generator.sourceDetector ??
      workspace.domains().find((d) => d.folders.some((folder) => isInside(slidePath, folder)))?.detector ??
      'otsu-red';

    const folder = await resolveOutputFolder(request.outFolder, join(generator.runDir, 'translations'), {
      runsRoot: await realpath(options.runsDir),
      pickRoots: options.pickRoots,
    });
    const outPath = join(
      folder,
      request.outName ?? defaultOutputName(slidePath, generator.label, downsample),
    );
    if (outPath === slidePath) throw invalid('outName', 'The translation cannot replace its own slide');
    await checkOutputFree(outPath, request.replace === true, registry);

    const record: TranslationSummary = {
      outPath,
      runId: generator.runId,
      direction: generator.direction,
      from: generator.from,
      to: generator.to,
      slidePath,
      downsample,
      detector,
      generatorStep: generator.step,
      state: 'running',
      jobId: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      widthPx: null,
      heightPx: null,
      levelCount: null,
      fileBytes: null,
      resumedFromRow: null,
      error: null,
      request,
    };
    const { job, recorded } = startTranslationJob(context, registry, record, {
      kind: 'translate',
      generator: generator.task,
      slidePath,
      outPath,
      downsample,
      tileSizePx,
      overlapPx,
      backend: request.backend ?? 'auto',
      cacheDir: options.cacheDir,
      detector,
      provenance: generator.provenance,
    });
    return { job, translation: await recorded };
  }

  /** Set while a translate call checks its request: two calls at once must not both start a job. */
  let starting = false;

  return {
    async translate(request) {
      const running = jobs.find('translate');
      if (running || starting) {
        throw new ServiceError(
          'CONFLICT',
          `A translation is ${running ? `running (${running.subject})` : 'starting'}; cancel it or wait for it to finish`,
        );
      }
      starting = true;
      try {
        return await startTranslation(request);
      } finally {
        starting = false;
      }
    },

    async cancel(request) {
      const record = registry.byJob(request.jobId);
      if (!record || !jobs.list().some((j) => j.jobId === request.jobId)) {
        throw new ServiceError('NOT_FOUND', `No running translation has the job id '${request.jobId}'`);
      }
      await jobs.stop(request.jobId);
      return { translation: registry.get(record.outPath) ?? record };
    },

    async translations(request) {
      return { translations: await present(registry.list(request.runId)) };
    },

    generate(request) {
      return generateImages(options.runsDir, request);
    },
  };
}
