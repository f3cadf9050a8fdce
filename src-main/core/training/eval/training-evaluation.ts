import { resolveTissueMaskParameters } from '../../tissue/tissue-mask.js';
import { availableParallelism } from 'node:os';
import type { DomainConfig, FieldOfView } from '../../config/training-config.js';
import { buildSlideCatalog } from '../../dataset/catalog.js';
import { validateDataset } from '../../dataset/dataset.js';
import type { PatchImage } from '../../sampling/patch-image.js';
import { PatchWorkerPool } from '../../sampling/worker-pool.js';
import { openSlide } from '../../slide/index.js';
import type { CycleganGenerator } from '../models/cyclegan.js';
import type { ProganGenerator } from '../models/progan.js';
import { evaluateCyclegan, ProganEvaluator, type EvaluationMetrics } from './evaluate.js';
import { sampleRealPatches } from './real-patches.js';

/**
 * Real patches per domain kept for the whole run, against which the generators are evaluated every N
 * steps: drawn once when training starts (held-out slides when the config names them), 8-bit RGB, so it
 * crosses to the training worker as plain buffers.
 */
export interface EvaluationSet {
  readonly sizePx: number;
  readonly domains: readonly { readonly name: string; readonly count: number; readonly pixels: Uint8Array }[];
}

/** What the trainer asks for when a run evaluates. */
export interface EvaluationSetRequest {
  /** The domains and their folders (held-out slides, else the training slides), in the run's order. */
  readonly domains: readonly DomainConfig[];
  readonly sizePx: number;
  readonly scale: FieldOfView;
  /** Patches per domain. */
  readonly count: number;
  readonly seed: number | string;
}

/** Draws evaluation sets with the patch sampler (its own worker pool, closed after each set). */
export function openSlideEvaluationSet(
  options: Readonly<{ cacheDir: string; workers?: number }>,
): (request: EvaluationSetRequest) => Promise<EvaluationSet> {
  return async (request) => {
    const catalog = await buildSlideCatalog(
      validateDataset({ domains: request.domains.map((d) => ({ name: d.name, folders: [...d.folders] })) }),
      { openSlide: (p) => openSlide(p) },
    );
    const pool = new PatchWorkerPool({ workers: options.workers ?? Math.max(1, availableParallelism() - 1) });
    try {
      const patches = await sampleRealPatches({
        catalog,
        cacheDir: options.cacheDir,
        pool,
        sampler: {
          patchSize: request.sizePx,
          ...(request.scale.kind === 'mpp'
            ? { mpp: request.scale.mpp }
            : { downsample: request.scale.downsample }),
          seed: `${request.seed}/evaluation`,
        },
        count: request.count,
        domainMaskParameters: Object.fromEntries(
          request.domains.map((d) => [d.name, resolveTissueMaskParameters({ detector: d.detector })]),
        ),
      });
      return {
        sizePx: request.sizePx,
        domains: request.domains.map((d) => {
          const list = patches.get(d.name)!;
          const pixels = new Uint8Array(list.length * request.sizePx * request.sizePx * 3);
          list.forEach((p, i) => pixels.set(p.data, i * p.data.length));
          return { name: d.name, count: list.length, pixels };
        }),
      };
    } finally {
      await pool.close();
    }
  };
}

/** One domain of a set as patches (views, no copy). */
export function evaluationPatches(set: EvaluationSet, domain: number): PatchImage[] {
  const { count, pixels } = set.domains[domain]!;
  const size = set.sizePx * set.sizePx * 3;
  return Array.from({ length: count }, (_, i) => ({
    width: set.sizePx,
    height: set.sizePx,
    data: pixels.subarray(i * size, (i + 1) * size),
  }));
}

/**
 * Patches shrunk by an integer factor with a box filter. ProGAN keeps one field of view at every
 * resolution (SPEC 6), so its lower-resolution real images are the target-resolution ones shrunk.
 */
export function downscalePatches(patches: readonly PatchImage[], factor: number): PatchImage[] {
  if (factor === 1) return [...patches];
  return patches.map((p) => {
    const w = Math.floor(p.width / factor);
    const h = Math.floor(p.height / factor);
    const data = new Uint8Array(w * h * 3);
    const n = factor * factor;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) {
            const row = (y * factor + dy) * p.width;
            for (let dx = 0; dx < factor; dx++) sum += p.data[(row + x * factor + dx) * 3 + c]!;
          }
          data[(y * w + x) * 3 + c] = Math.round(sum / n);
        }
      }
    }
    return { width: w, height: h, data };
  });
}

/**
 * The evaluation a training session runs every N steps, on a fixed set (EvaluationSet): CycleGAN's
 * cycle errors and SWDs, or the ProGAN EMA generator's SWD at its current resolution (real descriptors
 * computed once per resolution, latents fixed by the seed).
 */
export class TrainingEvaluator {
  private progan: ProganEvaluator | null = null;

  constructor(
    private readonly set: EvaluationSet,
    private readonly seed = 1,
  ) {}

  evaluateCyclegan(models: {
    readonly generatorAB: CycleganGenerator;
    readonly generatorBA: CycleganGenerator;
  }): Promise<EvaluationMetrics> {
    return evaluateCyclegan({
      generatorAB: models.generatorAB,
      generatorBA: models.generatorBA,
      heldOutA: evaluationPatches(this.set, 0),
      heldOutB: evaluationPatches(this.set, 1),
      swd: { seed: this.seed },
    });
  }

  evaluateProgan(generator: ProganGenerator, resolution: number, alpha: number): Promise<EvaluationMetrics> {
    this.progan ??= new ProganEvaluator({
      realPatches: async (r) => downscalePatches(evaluationPatches(this.set, 0), this.set.sizePx / r),
      count: this.set.domains[0]!.count,
      seed: this.seed,
      swd: { seed: this.seed },
    });
    return this.progan.evaluate(generator, resolution, alpha);
  }
}
