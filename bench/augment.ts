/**
 * Augmentation and resize benchmark: milliseconds per 256 px RGB patch for each op and the whole pipeline,
 * ours against sharp where sharp has an equivalent, on one thread, on a real H&E region. Prints JSON.
 * Run: `node --import tsx bench/augment.ts` (or through the bench dispatcher as `augment`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { applyColourShift } from '../src-main/core/sampling/augment/colour-shift.js';
import { applyD4, sampleD4 } from '../src-main/core/sampling/augment/d4.js';
import { applyHedJitter, sampleHedJitter } from '../src-main/core/sampling/augment/hed-jitter.js';
import {
  applyPiecewiseAffine,
  samplePiecewiseAffine,
} from '../src-main/core/sampling/augment/piecewise-affine.js';
import { augmentPatch } from '../src-main/core/sampling/augment/pipeline.js';
import type { PatchImage } from '../src-main/core/sampling/patch-image.js';
import { resizeWithSharp } from '../src-main/core/sampling/resize-sharp.js';
import { resizePatch, resizePatchSync } from '../src-main/core/sampling/resize.js';
import { writePatchToTensorData } from '../src-main/core/sampling/to-tensor-data.js';
import { Rng } from '../src-main/core/util/rng.js';

const SLIDE = fileURLToPath(new URL('../test/fixtures/slides/cmu-1-small-region.svs', import.meta.url));
const PATCH = 256;

export interface AugmentBenchOptions {
  /** Timed calls per measurement (after warm-up). Default 40. */
  readonly reps?: number;
}

/** One timing: median and mean wall ms per call, and process CPU ms per call (includes sharp's threads). */
interface Timing {
  readonly medianMs: number;
  readonly meanMs: number;
  readonly cpuMs: number;
}

/** Runs the benchmark and returns the figures (the dispatcher prints them). */
export async function runAugmentBench(options: Readonly<AugmentBenchOptions> = {}): Promise<object> {
  const reps = options.reps ?? 40;
  const region = await readRegion(600, 900, 1024);
  const patch = resizePatchSync(region, PATCH, PATCH);
  const rng = new Rng(1);
  const sharpRaw = (image: PatchImage): Sharp =>
    sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });

  const resize: Record<string, unknown> = {};
  for (const side of [1024, 1001, 512, 320, 257, 250]) {
    const source = crop(region, side);
    const ours = resizePatchSync(source, PATCH, PATCH);
    const theirs = await resizeWithSharp(source, PATCH, PATCH);
    const oursMs = await time(reps, () => resizePatchSync(source, PATCH, PATCH));
    const areaMs = await time(reps, () => resizePatchSync(source, PATCH, PATCH, { filter: 'area' }));
    const sharpMs = await time(reps, () => resizeWithSharp(source, PATCH, PATCH));
    resize[`${side}->${PATCH}`] = {
      oursLanczos3: oursMs,
      oursArea: areaMs,
      sharpLanczos3: sharpMs,
      defaultResizePatch: await time(reps, () => resizePatch(source, PATCH, PATCH)),
      oursOverSharp: round(oursMs.medianMs / sharpMs.medianMs),
      meanAbsErrorOursVsSharp: round(meanAbsDiff(ours.data, theirs.data)),
    };
  }

  const colourParams = { hueShift: 0.02, lightnessGamma: 1.01 };
  const ops = {
    d4Random: await time(reps, () => applyD4(patch, sampleD4(rng))),
    d4Rotate90: await time(reps, () => applyD4(patch, { quarterTurns: 1, mirror: false })),
    sharpRotate90: await time(reps, () => sharpRaw(patch).rotate(90).raw().toBuffer()),
    d4Mirror: await time(reps, () => applyD4(patch, { quarterTurns: 0, mirror: true })),
    sharpFlop: await time(reps, () => sharpRaw(patch).flop().raw().toBuffer()),
    d4Flip: await time(reps, () => applyD4(patch, { quarterTurns: 2, mirror: true })),
    sharpFlip: await time(reps, () => sharpRaw(patch).flip().raw().toBuffer()),
    colourShift: await time(reps, () => applyColourShift(patch, colourParams)),
    // Not equivalent (LCh hue and brightness, not HSV hue and Lab L gamma): the nearest sharp offers.
    sharpModulate: await time(reps, () =>
      sharpRaw(patch).modulate({ hue: 7, lightness: 1 }).raw().toBuffer(),
    ),
    piecewiseAffine: await time(reps, () => applyPiecewiseAffine(patch, samplePiecewiseAffine(rng, PATCH))),
    hedJitter: await time(reps, () => applyHedJitter(patch, sampleHedJitter(rng))),
    toTensorData: await time(reps, () => writePatchToTensorData(patch, batch, 0)),
  };
  const pipeline = await time(reps, () => augmentPatch(patch, rng, { probability: 1 }));
  // What a sampler worker does after the read, for a footprint one pixel larger than the patch (a level
  // whose downsample is not exactly the requested one): default resize, augment, float batch slot.
  const footprint = crop(region, PATCH + 1);
  const afterRead = await time(reps, async () => {
    const resized = await resizePatch(footprint, PATCH, PATCH);
    writePatchToTensorData(augmentPatch(resized, rng, { probability: 1 }).image, batch, 0);
  });
  return {
    bench: 'augment',
    unit: 'ms per 256x256 RGB patch, one thread (sharp: awaited raw->raw call, its own thread pool)',
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      loadAverage1m: round(os.loadavg()[0]!),
      sharpConcurrency: sharp.concurrency(),
      note: 'shared machine: other jobs may run at the same time',
    },
    reps,
    resize,
    ops,
    pipeline: {
      all4Ops: pipeline,
      patchesPerSecondOneThread: round(1000 / pipeline.medianMs),
      resize257PlusAugmentPlusTensor: afterRead,
    },
  };
}

const batch = new Float32Array(PATCH * PATCH * 3);

async function time(reps: number, fn: () => unknown): Promise<Timing> {
  for (let i = 0; i < Math.max(5, reps / 4); i++) await fn();
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  samples.sort((a, b) => a - b);
  return {
    medianMs: round(samples[samples.length >> 1]!),
    meanMs: round(samples.reduce((s, x) => s + x, 0) / reps),
    cpuMs: round((cpu.user + cpu.system) / 1000 / reps),
  };
}

async function readRegion(x: number, y: number, side: number): Promise<PatchImage> {
  const dir = await mkdtemp(join(os.tmpdir(), 'hf-bench-augment-'));
  try {
    const png = join(dir, 'region.png');
    await promisify(execFile)('openslide-write-png', [SLIDE, `${x}`, `${y}`, '0', `${side}`, `${side}`, png]);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function crop(image: PatchImage, side: number): PatchImage {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y * image.width + side) * 3), y * side * 3);
  }
  return { width: side, height: side, data };
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reps = Number(process.argv[2] ?? 40);
  console.log(JSON.stringify(await runAugmentBench({ reps }), null, 2));
}
