/**
 * Sampler soak (`npm run bench -- soak`, prints JSON): draws 200k patches (default) through the whole
 * sampler and samples the process RSS (main thread, worker threads, native memory) as it goes, to show it
 * stays flat. The dataset mixes a large generated slide with the pyramidal test slides and a corrupt one, and
 * each worker may keep only 2 slides open, so handles are evicted and reopened all the time.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../src-main/cli/args.js';
import { PatchWorkerPool } from '../src-main/core/sampling/worker-pool.js';
import { machineBusySeconds, otherCores, ownCpuSeconds } from './load.js';
import { generateBenchSlide, samplerFor } from './sampler.js';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/slides/', import.meta.url));
const EXTRA_SLIDES = [
  'cmu-1-small-region.svs',
  'ndpi-dapi.ndpi',
  'bracs-1640-crop.tiff',
  'bad/unreadable.svs',
];

const FLAGS = {
  patches: { type: 'integer' },
  augment: { type: 'number' },
  'sample-every': { type: 'integer' },
  'open-slides': { type: 'integer' },
} as const;

interface RssSample {
  readonly patches: number;
  readonly seconds: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

/** Runs the soak; returns the RSS samples and the fitted growth. */
export async function runSoak(args: readonly string[] = []): Promise<object> {
  const { flags } = parseArgs(args, FLAGS);
  const total = flags.patches ?? 200_000;
  const augment = flags.augment ?? 0.5;
  const sampleEvery = flags['sample-every'] ?? 5000;
  const openSlides = flags['open-slides'] ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'bench-soak-'));
  const workers = availableParallelism();
  const pool = new PatchWorkerPool({ workers, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: openSlides });
  try {
    const folder = join(dir, 'slides');
    await mkdir(folder, { recursive: true });
    await generateBenchSlide(folder, 6, 4);
    for (const name of EXTRA_SLIDES)
      await copyFile(join(FIXTURES, name), join(folder, name.replace('/', '-')));
    const { sampler, stop } = await samplerFor(
      folder,
      join(dir, 'cache'),
      { patchSize: 256, downsample: 4, augment, seed: 'soak', batchSize: 32, float32: true },
      pool,
    );
    const excluded: string[] = [];
    sampler.on('slide-excluded', (e) => excluded.push(e.message));
    const samples: RssSample[] = [];
    const busyBefore = machineBusySeconds();
    const cpuBefore = ownCpuSeconds();
    const started = performance.now();
    const record = (patches: number): void => {
      const memory = process.memoryUsage();
      samples.push({
        patches,
        seconds: round((performance.now() - started) / 1000, 1),
        rssMiB: round(memory.rss / 2 ** 20, 1),
        heapUsedMiB: round(memory.heapUsed / 2 ** 20, 1),
      });
    };
    let patches = 0;
    let nextSample = 0;
    const stream = sampler.stream('tissue');
    while (patches < total) {
      if (patches >= nextSample) {
        record(patches);
        nextSample += sampleEvery;
      }
      patches += (await stream.nextBatch())!.count;
    }
    record(patches);
    const wallSeconds = (performance.now() - started) / 1000;
    const ownCpu = ownCpuSeconds() - cpuBefore;
    const others = otherCores(busyBefore, machineBusySeconds(), ownCpu, wallSeconds);
    const stats = sampler.stats();
    await stop();
    // Growth over the second half (after warm-up and the first GC cycles), by least squares.
    const half = samples.filter((s) => s.patches >= total / 2);
    const slopePer100k = leastSquaresSlope(half.map((s) => [s.patches, s.rssMiB])) * 100_000;
    const rss = half.map((s) => s.rssMiB);
    return {
      benchmark: 'soak',
      patches,
      seconds: samples[samples.length - 1]!.seconds,
      patchesPerSecond: round(patches / samples[samples.length - 1]!.seconds, 1),
      // Over the second half only: start-up (mask build, worker start) excluded.
      secondHalfPatchesPerSecond: round(
        (half[half.length - 1]!.patches - half[0]!.patches) /
          (half[half.length - 1]!.seconds - half[0]!.seconds),
        1,
      ),
      openSlidesPerWorker: openSlides,
      workers,
      augment,
      ownCores: round(ownCpu / wallSeconds, 2),
      otherCores: others === null ? null : round(others, 2),
      secondHalf: {
        rssMinMiB: Math.min(...rss),
        rssMaxMiB: Math.max(...rss),
        growthMiBPer100kPatches: round(slopePer100k, 2),
        fittedGrowthMiB: round((slopePer100k * (total / 2)) / 100_000, 1),
      },
      // Flat: the fitted RSS growth over the second half stays under 50 MiB.
      flat: Math.abs((slopePer100k * (total / 2)) / 100_000) < 50,
      errors: stats.errors,
      excluded,
      samples,
    };
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Dispatcher entry: prints the figures as JSON. */
export async function run(args: string[]): Promise<number> {
  process.stdout.write(`${JSON.stringify(await runSoak(args), null, 2)}\n`);
  return 0;
}

function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await run(process.argv.slice(2));
