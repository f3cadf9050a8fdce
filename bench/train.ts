/**
 * `npm run bench -- train [--backend auto|tensorflow|webgpu|wasm|cpu] [--models cyclegan,progan]
 *  [--presets tiny,small] [--steps N] [--progan-steps N] [--phase-images N] [--progan-sizes 64,256]
 *  [--slides A=DIR --slides B=DIR] [--workers N] [--json]`
 *
 * Training throughput fed by the real patch sampler, per model and preset on the chosen backend: step time
 * (median), images/s, and the data-wait share (time the trainer waited for batches / time it computed).
 * The slides are large pyramids generated once with libvips from real tissue (cmu-1-small-region.svs
 * replicated, tiled JPEG) under bench-output/train/; masks are cached there too. ProGAN runs with short
 * phases (`--phase-images`, default 32, no fade) so a few steps reach every resolution, then
 * `--progan-steps` (3) at the target; figures are per resolution. `--progan-sizes` runs ProGAN once per
 * target resolution (default: the preset's). `--slides` trains on existing folders instead (a GPU
 * server without libvips): A for CycleGAN's first domain and ProGAN, B for CycleGAN's second.
 * The first step is reported apart: it includes the sampler's and the worker's start.
 * Target: data-wait < 1% of step time on every preset (the paper measured 0.74% overhead).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, parseArgs } from '../src-main/cli/args.js';
import {
  resolveTrainingConfig,
  type ProganTrainingConfig,
  type TrainingConfig,
} from '../src-main/core/config/training-config.js';
import type { StepMetrics } from '../src-main/core/training/runs/metrics.js';
import { openSlideBatchSource } from '../src-main/core/training/trainer/sampler-source.js';
import { startTraining } from '../src-main/core/training/trainer/trainer.js';
import { replicatedSlide } from './slides.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'bench-output', 'train');
const SOURCE_SLIDE = join(ROOT, 'test', 'fixtures', 'slides', 'cmu-1-small-region.svs');
/** Two different replications: two slides with different content hashes, one per CycleGAN domain. */
const SLIDES = { A: [10, 8], B: [8, 10] } as const;

const FLAGS = {
  backend: { type: 'string' },
  models: { type: 'string' },
  presets: { type: 'string' },
  steps: { type: 'integer' },
  'progan-steps': { type: 'integer' },
  'phase-images': { type: 'integer' },
  'progan-sizes': { type: 'string' },
  slides: { type: 'string', multiple: true },
  workers: { type: 'integer' },
  json: { type: 'boolean' },
} as const;

/** One line of the report: a model and preset (ProGAN: one resolution). */
interface BenchRow {
  readonly model: string;
  readonly preset: string;
  readonly backend: string;
  readonly sizePx: number;
  readonly batch: number;
  readonly steps: number;
  readonly stepMsMedian: number;
  readonly imagesPerSecond: number;
  /** Sum of data waits / sum of step compute times, first step of the run left out. */
  readonly dataWaitShare: number;
  readonly dataWaitMsTotal: number;
  readonly firstStep: { readonly stepMs: number; readonly dataWaitMs: number } | null;
  readonly samplerPatchesPerSecond: number;
}

/** `--slides A=DIR` folders by domain; an unnamed or unknown domain is a usage error. */
function slideFolders(values: readonly string[]): Partial<Record<keyof typeof SLIDES, string>> {
  const folders: Partial<Record<keyof typeof SLIDES, string>> = {};
  for (const value of values) {
    const [name, folder] = value.split('=', 2);
    if ((name !== 'A' && name !== 'B') || !folder) {
      throw new UsageError(`--slides takes A=DIR or B=DIR, got '${value}'`);
    }
    folders[name] = folder;
  }
  return folders;
}

/** A benchmark slide folder of one domain, its slide generated once. */
async function ensureSlide(domain: keyof typeof SLIDES): Promise<string> {
  const folder = join(OUT_DIR, `slides-${domain}`);
  await replicatedSlide(SOURCE_SLIDE, SLIDES[domain], folder);
  return folder;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function summarise(
  config: TrainingConfig,
  metrics: readonly StepMetrics[],
  first: StepMetrics | null,
  sizePx: number,
  batch: number,
): BenchRow {
  const stepMs = metrics.map((m) => m.stepMs);
  const waitMs = metrics.reduce((n, m) => n + m.dataWaitMs, 0);
  const busyMs = stepMs.reduce((n, x) => n + x, 0);
  const images = metrics.reduce((n, m) => n + m.images, 0);
  return {
    model: config.model,
    preset: config.preset,
    backend: metrics[0]?.backend ?? first?.backend ?? '?',
    sizePx,
    batch,
    steps: metrics.length,
    stepMsMedian: Math.round(median(stepMs) * 10) / 10,
    imagesPerSecond: Math.round(((images * 1000) / Math.max(1e-9, busyMs + waitMs)) * 100) / 100,
    dataWaitShare: Math.round((waitMs / Math.max(1e-9, busyMs)) * 1e5) / 1e5,
    dataWaitMsTotal: Math.round(waitMs * 10) / 10,
    firstStep: first ? { stepMs: first.stepMs, dataWaitMs: first.dataWaitMs } : null,
    samplerPatchesPerSecond: Math.round(median(metrics.map((m) => m.samplerPatchesPerSecond)) * 10) / 10,
  };
}

async function benchRun(
  config: TrainingConfig,
  cacheDir: string,
  workers: number | undefined,
): Promise<BenchRow[]> {
  await mkdir(OUT_DIR, { recursive: true });
  const runDir = await mkdtemp(join(OUT_DIR, 'run-'));
  await rm(runDir, { recursive: true });
  const metrics: StepMetrics[] = [];
  const job = startTraining(
    { config, runDir },
    { openSource: openSlideBatchSource({ cacheDir, ...(workers !== undefined && { workers }) }) },
  );
  job.on('step', (m) => {
    metrics.push(m);
    process.stderr.write(`\r${config.model} ${config.preset}: step ${m.step}/${config.steps}   `);
  });
  try {
    await job.done;
  } finally {
    process.stderr.write('\n');
    await rm(runDir, { recursive: true, force: true });
  }
  const [first, ...rest] = metrics;
  if (config.model === 'cyclegan') {
    return [summarise(config, rest, first ?? null, config.cyclegan.sizePx, config.cyclegan.batchSize)];
  }
  const resolutions = [...new Set(rest.map((m) => m.progan!.resolution))];
  return resolutions.map((r) => {
    const at = rest.filter((m) => m.progan!.resolution === r);
    return summarise(config, at, r === first?.progan?.resolution ? first : null, r, at[0]!.images);
  });
}

/** ProGAN with short, fade-less phases: a few steps at every resolution, the rest at the target. */
function shortPhases(config: ProganTrainingConfig, images: number): ProganTrainingConfig {
  return { ...config, progan: { ...config.progan, imagesPerPhase: { train: images, fade: 0 } } };
}

export async function run(args: string[]): Promise<number> {
  let flags;
  let given: ReturnType<typeof slideFolders>;
  try {
    ({ flags } = parseArgs(args, FLAGS));
    given = slideFolders(flags.slides ?? []);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench train: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const models = (flags.models ?? 'cyclegan,progan').split(',');
  const presets = (flags.presets ?? 'tiny,small').split(',');
  const steps = flags.steps ?? 10;
  const proganSteps = flags['progan-steps'] ?? 3;
  const phaseImages = flags['phase-images'] ?? 32;
  const folders = {
    A: given.A ?? (await ensureSlide('A')),
    B: given.B ?? (models.includes('cyclegan') ? await ensureSlide('B') : ''),
  };
  const proganSizes = flags['progan-sizes']?.split(',').map(Number) ?? [undefined];
  const cacheDir = join(OUT_DIR, 'cache');
  const rows: BenchRow[] = [];
  const runs = models.flatMap((model) =>
    presets.flatMap((preset) =>
      (model === 'progan' ? proganSizes : [undefined]).map((sizePx) => ({ model, preset, sizePx })),
    ),
  );
  for (const { model, preset, sizePx } of runs) {
    const base = resolveTrainingConfig({
      model,
      preset,
      ...(sizePx !== undefined && { sizePx }),
      steps,
      backend: flags.backend ?? 'auto',
      seed: 1,
      sampleEvery: 0,
      checkpointEvery: 1_000_000,
      domains:
        model === 'cyclegan'
          ? [
              { name: 'A', folders: [folders.A] },
              { name: 'B', folders: [folders.B] },
            ]
          : [{ name: 'A', folders: [folders.A] }],
    });
    let config: TrainingConfig = base;
    if (base.model === 'progan') {
      // `phaseImages` per resolution below the target, then `proganSteps` at the target.
      const p = shortPhases(base, phaseImages);
      const below = Object.entries(p.progan.batchSizes)
        .filter(([r]) => Number(r) < p.progan.network.maxResolution)
        .reduce((n, [, b]) => n + Math.ceil(phaseImages / b), 0);
      config = { ...p, steps: below + proganSteps };
    }
    rows.push(...(await benchRun(config, cacheDir, flags.workers)));
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ rows }, null, 2)}\n`);
  } else {
    process.stdout.write(
      'model     preset  backend  size  batch  steps  step ms  images/s  data-wait  (first step: ms, wait ms)\n',
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.model.padEnd(9)} ${r.preset.padEnd(7)} ${r.backend.padEnd(8)} ${String(r.sizePx).padStart(4)}  ` +
          `${String(r.batch).padStart(5)}  ${String(r.steps).padStart(5)}  ${r.stepMsMedian.toFixed(1).padStart(7)}  ` +
          `${r.imagesPerSecond.toFixed(2).padStart(8)}  ${(r.dataWaitShare * 100).toFixed(3).padStart(8)}%` +
          (r.firstStep ? `  (${r.firstStep.stepMs.toFixed(0)}, ${r.firstStep.dataWaitMs.toFixed(0)})` : '') +
          '\n',
      );
    }
  }
  const worst = Math.max(...rows.map((r) => r.dataWaitShare));
  // With --json, stdout holds the JSON document alone.
  (flags.json ? process.stderr : process.stdout).write(
    `worst data-wait share ${(worst * 100).toFixed(3)}% (target < 1%)\n`,
  );
  return 0;
}
