/**
 * `npm run bench -- translate [--json] [--backends LIST] [--presets LIST] [--downsample D] [--cpu-small]
 *  [--no-large] [--memory-sizes CxR[,CxR]] [--large-downsample D] [--generator-rows N]
 *  [--large-backend NAME] [--regenerate]`
 *
 * Whole-slide translation (src-main/core/inference):
 * 1. Throughput per available backend and generator size (presets tiny, small; untrained weights, the
 *    arithmetic is the same): cmu-1-small-region.svs translated at downsample 4 without a mask. Reports
 *    output megapixels per second over the whole job (read, network, blend, JPEG, pyramid, TIFF) and
 *    megapixels per second inside the network. cpu with 'small' takes minutes: only with --cpu-small.
 * 2. Memory on large slides: CMU-1's tissue replicated C x R times for each of --memory-sizes (default
 *    18x7,18x14: the second is 39960 x 41538 px, twice the first's height at the same width; tiled JPEG
 *    pyramids generated once with libvips into bench-output/translate/), translated at downsample 1
 *    (default) into a 9-level TIFF. The first --generator-rows tile rows (default 2) go through the
 *    generator, the rest through a pass-through transform (the network on CPU would take hours): every
 *    tile is still read, blended, JPEG-encoded, pyramided and written. Reports peak RSS, RSS per quarter
 *    of the translation (flat = bounded), the predicted working set (translationWorkingSet), and for
 *    two sizes the ratios of peak RSS, working set, width and height of the second to the first.
 * Each run is a child process (bench/translate-child.ts), so peak RSS and the backend are its own.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs, UsageError } from '../src-main/cli/args.js';
import { createTileGrid } from '../src-main/core/inference/tile-grid.js';
import { translationWorkingSet } from '../src-main/core/inference/working-set.js';
import { BACKEND_CANDIDATES, type BackendName } from '../src-main/core/training/backend/types.js';
import { machineBusySeconds, otherCores, ownCpuSeconds } from './load.js';
import { replicatedSlide } from './slides.js';
import type { ChildOptions, ChildResult } from './translate-child.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'bench-output', 'translate');
const SMALL_SLIDE = join(ROOT, 'test', 'fixtures', 'slides', 'cmu-1-small-region.svs');
const CHILD = join(ROOT, 'bench', 'translate-child.ts');
const MEMORY_SIZES = '18x7,18x14';
const TILE_PX = 256;
const OVERLAP_PX = 32;
const TIFF_TILE_PX = 256;

const FLAGS = {
  json: { type: 'boolean' },
  backends: { type: 'string' },
  presets: { type: 'string' },
  downsample: { type: 'number' },
  'cpu-small': { type: 'boolean' },
  large: { type: 'boolean' },
  'memory-sizes': { type: 'string' },
  'large-downsample': { type: 'number' },
  'generator-rows': { type: 'integer' },
  'large-backend': { type: 'string' },
  regenerate: { type: 'boolean' },
} as const;

async function runChild(
  options: ChildOptions,
): Promise<(ChildResult & { otherCores: number | null }) | { unavailable: string }> {
  const busy = machineBusySeconds();
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult | { unavailable: string };
  await rm(options.out, { force: true });
  await rm(`${options.out}.json`, { force: true });
  if ('unavailable' in result) return result;
  // The machine's busy time less ours and the child's: the cores other processes used meanwhile.
  const wall = (performance.now() - started) / 1000;
  const own = ownCpuSeconds() - ownBefore + result.cpuSeconds;
  return { ...result, otherCores: otherCores(busy, machineBusySeconds(), own, wall) };
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

export async function run(args: string[]): Promise<number> {
  let flags;
  let sizes;
  try {
    flags = parseArgs(args, FLAGS).flags;
    sizes = (flags['memory-sizes'] ?? MEMORY_SIZES).split(',').map((size) => {
      const match = /^(\d+)x(\d+)$/.exec(size);
      if (!match) throw new UsageError(`--memory-sizes: expected CxR (e.g. 18x14) but received '${size}'`);
      return [Number(match[1]), Number(match[2])] as const;
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench translate: ${error.message}\n`);
    return 2;
  }
  const json = flags.json === true;
  const log = (line: string): void => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const backends = (flags.backends?.split(',') ?? [...BACKEND_CANDIDATES]) as BackendName[];
  const presets = flags.presets?.split(',') ?? ['tiny', 'small'];
  const downsample = flags.downsample ?? 4;
  await mkdir(OUT_DIR, { recursive: true });

  // 1. Throughput.
  const throughput = [];
  log(
    `throughput: ${SMALL_SLIDE} at downsample ${downsample}, tile ${TILE_PX} px, overlap ${OVERLAP_PX} px, no mask`,
  );
  for (const backend of backends) {
    for (const preset of presets) {
      if (backend === 'cpu' && preset !== 'tiny' && !flags['cpu-small']) {
        log(`  ${backend.padEnd(10)} ${preset.padEnd(6)} skipped (minutes per run; pass --cpu-small)`);
        continue;
      }
      const result = await runChild({
        slide: SMALL_SLIDE,
        out: join(OUT_DIR, `throughput-${backend}-${preset}.tif`),
        backend,
        preset,
        downsample,
        tileSizePx: TILE_PX,
        overlapPx: OVERLAP_PX,
        batchSize: 4,
        generatorRows: null,
      });
      if ('unavailable' in result) {
        log(`  ${backend.padEnd(10)} ${preset.padEnd(6)} unavailable: ${result.unavailable}`);
        throughput.push({ backend, preset, unavailable: result.unavailable });
        continue;
      }
      const outputMegapixels = (result.widthPx * result.heightPx) / 1e6;
      const networkMegapixels = (result.generatorTiles * TILE_PX * TILE_PX) / 1e6;
      const row = {
        backend,
        preset,
        device: result.device,
        outputMegapixels: round(outputMegapixels),
        seconds: round(result.seconds),
        outputMegapixelsPerSecond: round(outputMegapixels / result.seconds),
        networkMegapixelsPerSecond: round(networkMegapixels / result.generatorSeconds),
        msPerTile: round((1000 * result.generatorSeconds) / result.generatorTiles, 1),
        maxRssMB: Math.round(result.maxRssMB),
        otherCores: result.otherCores === null ? null : round(result.otherCores, 2),
      };
      throughput.push(row);
      log(
        `  ${backend.padEnd(10)} ${preset.padEnd(6)} ${row.outputMegapixelsPerSecond} output MP/s ` +
          `(${row.outputMegapixels} MP in ${row.seconds} s), network ${row.networkMegapixelsPerSecond} MP/s ` +
          `(${row.msPerTile} ms per ${TILE_PX} px tile), peak RSS ${row.maxRssMB} MB [${row.device}]`,
      );
    }
  }
  const ratios: Record<string, number> = {};
  for (const preset of presets) {
    const rows = throughput.filter((r) => r.preset === preset && 'networkMegapixelsPerSecond' in r) as {
      backend: string;
      networkMegapixelsPerSecond: number;
    }[];
    const cpu = rows.find((r) => r.backend === 'cpu');
    for (const r of rows)
      if (cpu && r !== cpu)
        ratios[`${preset}: ${r.backend} / cpu network`] = round(
          r.networkMegapixelsPerSecond / cpu.networkMegapixelsPerSecond,
          1,
        );
  }
  for (const [k, v] of Object.entries(ratios)) log(`  ratio ${k}: ${v}x`);

  // 2. Memory on large slides.
  const large = [];
  let largeRatios = null;
  if (flags.large !== false) {
    for (const replicate of sizes) {
      const row = await memoryRun(replicate, flags, log);
      if (row) large.push(row);
    }
    if (large.length === 2) {
      const [a, b] = large as [NonNullable<(typeof large)[0]>, NonNullable<(typeof large)[0]>];
      largeRatios = {
        peakRss: round(b.maxRssMB / a.maxRssMB, 2),
        workingSet: round(b.workingSetMB / a.workingSetMB, 2),
        width: round(b.widthPx / a.widthPx, 2),
        height: round(b.heightPx / a.heightPx, 2),
      };
      log(
        `  second / first: peak RSS ${largeRatios.peakRss}x, predicted working set ${largeRatios.workingSet}x, ` +
          `width ${largeRatios.width}x, height ${largeRatios.height}x`,
      );
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ throughput, ratios, large, largeRatios }, null, 2)}\n`);
  }
  log('figures from a shared 2-core machine: other processes may have used CPU (otherCores in --json)');
  return 0;
}

/** One memory run: CMU-1 replicated `replicate` times, translated as the large-slide case describes. */
async function memoryRun(
  replicate: readonly [number, number],
  flags: {
    regenerate?: boolean;
    'large-downsample'?: number;
    'generator-rows'?: number;
    'large-backend'?: string;
  },
  log: (line: string) => void,
) {
  const slide = await replicatedSlide(SMALL_SLIDE, replicate, OUT_DIR, flags.regenerate === true);
  if (slide.generatedSeconds !== null)
    log(`generated ${slide.path} in ${slide.generatedSeconds.toFixed(1)} s`);
  const largeDownsample = flags['large-downsample'] ?? 1;
  const generatorRows = flags['generator-rows'] ?? 2;
  const backend = (flags['large-backend'] ?? 'wasm') as BackendName;
  log(
    `memory: ${slide.path} at downsample ${largeDownsample} (${generatorRows} tile rows through the tiny ` +
      `generator on ${backend}, the rest pass-through)`,
  );
  const result = await runChild({
    slide: slide.path,
    out: join(OUT_DIR, 'large.tif'),
    backend,
    preset: 'tiny',
    downsample: largeDownsample,
    tileSizePx: TILE_PX,
    overlapPx: OVERLAP_PX,
    batchSize: 4,
    generatorRows,
  });
  if ('unavailable' in result) {
    log(`  unavailable: ${result.unavailable}`);
    return null;
  }
  const grid = createTileGrid({
    level0WidthPx: Math.round(result.widthPx * largeDownsample),
    level0HeightPx: Math.round(result.heightPx * largeDownsample),
    downsample: largeDownsample,
    tileSizePx: TILE_PX,
    overlapPx: OVERLAP_PX,
    tiffTileSizePx: TIFF_TILE_PX,
  });
  const workingSet = translationWorkingSet(grid, 4, null);
  const row = {
    replicate: `${replicate[0]}x${replicate[1]}`,
    widthPx: result.widthPx,
    heightPx: result.heightPx,
    levels: result.levels,
    fileBytes: result.fileBytes,
    format: result.format,
    seconds: round(result.seconds, 1),
    phaseSeconds: Object.fromEntries(Object.entries(result.phaseSeconds).map(([k, v]) => [k, round(v, 1)])),
    generatorTiles: result.generatorTiles,
    passThroughTiles: result.passThroughTiles,
    outputMegapixelsPerSecond: round((result.widthPx * result.heightPx) / 1e6 / result.seconds, 2),
    maxRssMB: Math.round(result.maxRssMB),
    rssByQuarterMB: result.rssByQuarterMB,
    blendBandMB: round(workingSet.blendBandBytes / 2 ** 20, 1),
    workingSetMB: round(workingSet.totalBytes / 2 ** 20, 1),
    uncompressedOutputGB: round((result.widthPx * result.heightPx * 3) / 2 ** 30, 2),
    otherCores: result.otherCores === null ? null : round(result.otherCores, 2),
  };
  log(
    `  ${row.widthPx}x${row.heightPx}, ${row.levels} levels, ${row.format}, ${row.fileBytes} bytes ` +
      `in ${row.seconds} s (translate ${row.phaseSeconds['translate']} s, pyramid ` +
      `${row.phaseSeconds['pyramid']} s, write ${row.phaseSeconds['write']} s)`,
  );
  log(
    `  peak RSS ${row.maxRssMB} MB for a ${row.uncompressedOutputGB} GB (RGB) output; RSS by quarter of the ` +
      `translation ${row.rssByQuarterMB.join(' / ')} MB; working set ${row.workingSetMB} MB ` +
      `(blend band ${row.blendBandMB} MB)`,
  );
  return row;
}
