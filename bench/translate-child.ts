/**
 * One translation for `npm run bench -- translate`, in its own process so its peak RSS and backend are
 * its own: `node --import tsx bench/translate-child.ts '<json options>'`. Prints one JSON line.
 */
import { rm } from 'node:fs/promises';
import { generatorTileTransform, type TileTransform } from '../src-main/core/inference/tile-transform.js';
import { translateSlide, type TranslatePhase } from '../src-main/core/inference/translate-slide.js';
import { openSlide } from '../src-main/core/slide/index.js';
import { selectBackend } from '../src-main/core/training/backend/select.js';
import type { BackendName } from '../src-main/core/training/backend/types.js';
import { createCycleganGenerator } from '../src-main/core/training/models/cyclegan.js';
import { randomInitialValues } from '../src-main/core/training/models/parameters.js';
import { cycleganPreset } from '../src-main/core/training/presets.js';
import { Rng } from '../src-main/core/util/rng.js';

export interface ChildOptions {
  readonly slide: string;
  readonly out: string;
  readonly backend: BackendName;
  readonly preset: string;
  readonly downsample: number;
  readonly tileSizePx: number;
  readonly overlapPx: number;
  readonly batchSize: number;
  /** Tile rows sent through the generator; the rest through a pass-through transform. Null: all. */
  readonly generatorRows: number | null;
}

export interface ChildResult {
  readonly backend: BackendName;
  readonly device: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly levels: number;
  readonly fileBytes: number;
  readonly format: string;
  readonly seconds: number;
  readonly phaseSeconds: Readonly<Record<TranslatePhase, number>>;
  /** Tiles through the generator and the seconds spent in it (forward passes + read-back). */
  readonly generatorTiles: number;
  readonly generatorSeconds: number;
  readonly passThroughTiles: number;
  readonly maxRssMB: number;
  /** CPU seconds of this process, all threads. */
  readonly cpuSeconds: number;
  /** Largest RSS seen in each quarter of the translate phase, MB. */
  readonly rssByQuarterMB: readonly number[];
}

const options = JSON.parse(process.argv[2]!) as ChildOptions;
let selection;
try {
  selection = await selectBackend({ preferred: options.backend });
} catch (error) {
  process.stdout.write(`${JSON.stringify({ unavailable: (error as Error).message })}\n`);
  process.exit(0);
}
const preset = cycleganPreset(options.preset);
const generator = createCycleganGenerator(preset.generator, randomInitialValues(new Rng(1)), 'generator');
const network = generatorTileTransform(generator);
const slide = await openSlide(options.slide);
const columns = Math.ceil(
  (Math.ceil(slide.info.levels[0]!.width / options.downsample) - options.overlapPx) /
    (options.tileSizePx - options.overlapPx),
);
const generatorTileLimit = options.generatorRows === null ? Infinity : options.generatorRows * columns;
let generatorTiles = 0;
let generatorSeconds = 0;
let passThroughTiles = 0;
// Warm-up: the first call compiles kernels (webgpu) and creates constants.
await network({ count: 1, sizePx: options.tileSizePx, rgb: new Uint8Array(options.tileSizePx ** 2 * 3) });
const transform: TileTransform = async (batch) => {
  if (generatorTiles < generatorTileLimit) {
    const started = performance.now();
    const out = await network(batch);
    generatorSeconds += (performance.now() - started) / 1000;
    generatorTiles += batch.count;
    return out;
  }
  passThroughTiles += batch.count;
  return Float32Array.from(batch.rgb);
};
const phaseStart: Partial<Record<TranslatePhase, number>> = {};
const rssByQuarter = [0, 0, 0, 0];
const started = performance.now();
await rm(`${options.out}.partial`, { recursive: true, force: true });
const result = await translateSlide(
  {
    slide,
    transform,
    transformId: 'bench',
    outPath: options.out,
    downsample: options.downsample,
    tissueMask: null,
    tileSizePx: options.tileSizePx,
    overlapPx: options.overlapPx,
    batchSize: options.batchSize,
  },
  {
    onProgress: (p) => {
      phaseStart[p.phase] ??= performance.now();
      if (p.phase === 'translate') {
        const q = Math.min(3, Math.floor((4 * p.done) / p.total));
        rssByQuarter[q] = Math.max(rssByQuarter[q]!, process.memoryUsage.rss());
      }
    },
  },
);
const ended = performance.now();
const at = (phase: TranslatePhase): number => phaseStart[phase] ?? ended;
const out: ChildResult = {
  backend: selection.name,
  device: selection.device,
  widthPx: result.widthPx,
  heightPx: result.heightPx,
  levels: result.levels.length,
  fileBytes: result.fileBytes ?? 0,
  format: result.format ?? '',
  seconds: (ended - started) / 1000,
  phaseSeconds: {
    translate: (at('pyramid') - started) / 1000,
    pyramid: (at('write') - at('pyramid')) / 1000,
    write: (ended - at('write')) / 1000,
  },
  generatorTiles,
  generatorSeconds,
  passThroughTiles,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
  cpuSeconds: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6,
  rssByQuarterMB: rssByQuarter.map((b) => Math.round(b / 2 ** 20)),
};
slide.close();
generator.dispose();
process.stdout.write(`${JSON.stringify(out)}\n`);
