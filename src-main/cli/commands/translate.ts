import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { InferenceError } from '../../core/inference/errors.js';
import type { CycleDirection } from '../../core/inference/run-generator.js';
import { slideTissueMask } from '../../core/inference/slide-mask.js';
import { generatorTileTransform } from '../../core/inference/tile-transform.js';
import {
  translateSlide,
  type TranslateProgress,
  type TranslateSlideResult,
} from '../../core/inference/translate-slide.js';
import { downsampleForSlide, type SamplingScale } from '../../core/sampling/geometry.js';
import { openSlide, type Slide } from '../../core/slide/index.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { TISSUE_DETECTORS, type TissueDetector } from '../../core/tissue/tissue-mask.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { BACKEND_CANDIDATES, type BackendPreference } from '../../core/training/backend/types.js';
import { parseArgs, requireFlag, UsageError } from '../args.js';
import { readRunConfig } from '../../core/training/runs/run-config.js';
import { runGuarded } from '../guard.js';
import { loadCycleganSource } from './generator-sources.js';
import type { CliIo } from '../run.js';

export const TRANSLATE_USAGE = `Usage: histo-fetch translate --run DIR [--direction AtoB|BtoA] --slide SLIDE --out OUT.tif [options]
       histo-fetch translate --generator DIR --slide SLIDE --out OUT.tif (--downsample D | --mpp M) [options]

Translates a whole slide with a CycleGAN generator (stain transfer): the generator runs over the
slide's tissue tile by tile, overlapping tiles are blended (no seams), background stays white, and the
result is written as a pyramidal tiled JPEG TIFF that OpenSlide opens (generic-tiff), with its mpp in
the resolution tags and OUT.tif.json beside it (source, mpp). Memory does not grow with the slide's
height, only with the output's width: (tile + 256) x width x 12 bytes for the blend band, plus two rows
of network tiles and one 256-row strip; about 414 MB for a 40,000 px wide output at --tile 256.
Interrupted (Ctrl-C, or even killed), it keeps its finished rows in OUT.tif.partial/: the same command
continues where it stopped.

Options:
  --run DIR               a CycleGAN training run: its latest checkpoint's generator, at the run's scale
  --direction AtoB|BtoA   which of the run's generators: first domain to second (default) or back
  --generator DIR         or an exported CycleGAN generator (model.json + weights.bin)
  --slide SLIDE           the slide to translate
  --out OUT.tif           the TIFF to write
  --downsample D          level-0 pixels per output pixel: the generator's training downsample
  --mpp M                 or the microns per pixel it was trained at (the slide must give its mpp);
                          with --run the run's own scale is the default
  --tile PX               network tile side in output pixels, a multiple of 4 (default 256)
  --overlap PX            pixels shared by neighbouring tiles, at most half a tile (default 32)
  --batch N               tiles per forward pass (default 4)
  --quality Q             JPEG quality 1-100 (default 85)
  --backend NAME          auto (default), ${BACKEND_CANDIDATES.join(', ')}
  --no-mask               translate every tile, not only tissue
  --detector NAME         tissue detector for the mask: ${TISSUE_DETECTORS.join(', ')} (default: the run's source domain's, else otsu-red)
  --cache DIR             cache folder for masks (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --force                 replace OUT.tif if it exists
  --json                  print the result as JSON
  -h, --help              show this help

Exit status: 0 done, 1 on an error (the message names the file), 2 on a usage error, 130 when
interrupted (run the same command again to continue).
`;

const FLAGS = {
  run: { type: 'string' },
  direction: { type: 'string' },
  generator: { type: 'string' },
  slide: { type: 'string' },
  out: { type: 'string' },
  downsample: { type: 'number' },
  mpp: { type: 'number' },
  tile: { type: 'integer' },
  overlap: { type: 'integer' },
  batch: { type: 'integer' },
  quality: { type: 'integer' },
  backend: { type: 'string' },
  mask: { type: 'boolean' },
  detector: { type: 'string' },
  cache: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Exit status of an interrupted translation (128 + SIGINT), as shells report Ctrl-C. */
export const INTERRUPTED_EXIT_CODE = 130;

/** `histo-fetch translate ...` */
export function translateCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('translate', TRANSLATE_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(TRANSLATE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if ((flags.run === undefined) === (flags.generator === undefined)) {
      throw new UsageError('give either --run (a training run) or --generator (an exported generator)');
    }
    const direction = (flags.direction ?? 'AtoB') as CycleDirection;
    if (direction !== 'AtoB' && direction !== 'BtoA') {
      throw new UsageError(`--direction must be AtoB or BtoA, not '${direction}'`);
    }
    if (flags.direction !== undefined && flags.run === undefined) {
      throw new UsageError('--direction chooses a generator of a --run');
    }
    const slidePath = resolve(requireFlag(flags.slide, 'slide'));
    const out = resolve(requireFlag(flags.out, 'out'));
    if (flags.downsample !== undefined && flags.mpp !== undefined) {
      throw new UsageError('give --downsample or --mpp, not both');
    }
    if (flags.downsample === undefined && flags.mpp === undefined && flags.run === undefined) {
      throw new UsageError('give the scale the generator was trained at: --downsample or --mpp');
    }
    const given: SamplingScale | null =
      flags.mpp !== undefined
        ? { kind: 'mpp', mpp: flags.mpp }
        : flags.downsample !== undefined
          ? { kind: 'downsample', downsample: flags.downsample }
          : null;
    if (given && !((flags.mpp ?? flags.downsample!) > 0)) {
      throw new UsageError(`--${flags.mpp !== undefined ? 'mpp' : 'downsample'} must be a positive number`);
    }
    const tileSizePx = flags.tile ?? 256;
    if (tileSizePx < 8 || tileSizePx % 4 !== 0) {
      throw new UsageError(
        `--tile must be a multiple of 4 of at least 8 (the generator's strides), not ${tileSizePx}`,
      );
    }
    const backend = (flags.backend ?? 'auto') as BackendPreference;
    if (backend !== 'auto' && !(BACKEND_CANDIDATES as readonly string[]).includes(backend)) {
      throw new UsageError(
        `--backend must be auto or one of ${BACKEND_CANDIDATES.join(', ')}, not '${backend}'`,
      );
    }
    // With --run the mask uses the source domain's own detector (fluorescence: saturation).
    const runDomains =
      flags.run !== undefined ? (await readRunConfig(resolve(flags.run))).config.domains : null;
    const sourceDomain = runDomains?.[direction === 'AtoB' ? 0 : 1];
    const detector = (flags.detector ?? sourceDomain?.detector ?? 'otsu-red') as TissueDetector;
    if (!TISSUE_DETECTORS.includes(detector)) {
      throw new UsageError(`--detector must be one of ${TISSUE_DETECTORS.join(', ')}, not '${detector}'`);
    }
    const folder = await stat(dirname(out)).catch(() => null);
    if (!folder?.isDirectory())
      throw new Error(`${out}: cannot write the TIFF: ${dirname(out)} is not an existing folder`);
    if (!flags.force && (await stat(out).catch(() => null))) {
      throw new Error(`${out}: already exists; pass --force to replace it`);
    }

    const selection = await selectBackend({ preferred: backend });
    const source = await loadCycleganSource(flags.run, flags.generator, direction);
    const { generator } = source;
    let slide: Slide;
    let downsample: number;
    try {
      slide = await openSlide(slidePath);
      try {
        downsample = downsampleForSlide(given ?? source.scale!, slide.info.mppX, slidePath);
      } catch (error) {
        slide.close();
        throw error;
      }
    } catch (error) {
      generator.dispose();
      throw error;
    }
    const controller = new AbortController();
    const interrupt = (): void => controller.abort();
    process.once('SIGINT', interrupt);
    const progress = createProgressView(io, flags.json === true);
    try {
      const digest = source.digest;
      let tissueMask = null;
      if (flags.mask !== false) {
        const result = await slideTissueMask(slidePath, {
          cacheDir: resolveCacheDir(flags.cache),
          detector,
          openSlide,
        });
        tissueMask = result.mask;
        if (result.outcome === 'no-tissue')
          progress.note(`${slidePath}: the tissue mask holds no tissue; every tile stays white`);
      }
      progress.note(
        `translating ${basename(slidePath)} with ${source.label} at downsample ${round(downsample)} on ` +
          `${selection.name} (${selection.device})` +
          (tissueMask
            ? `; tissue mask: ${detector}` +
              (flags.detector === undefined && sourceDomain
                ? ` (the source domain ${sourceDomain.name})`
                : '')
            : ', every tile (no mask)'),
      );
      const result = await translateSlide(
        {
          slide,
          transform: generatorTileTransform(generator),
          transformId: digest,
          outPath: out,
          downsample,
          tissueMask,
          tileSizePx,
          overlapPx: flags.overlap ?? 32,
          batchSize: flags.batch ?? 4,
          jpegQuality: flags.quality ?? 85,
          provenance: { ...source.provenance, backend: selection.name },
        },
        { signal: controller.signal, onProgress: (p) => progress.update(p) },
      );
      progress.clear();
      if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(summary(result));
      if (result.status === 'cancelled') {
        io.stderr.write(
          `histo-fetch translate: interrupted; finished rows are kept in ${out}.partial: run the same command again to continue\n`,
        );
        return INTERRUPTED_EXIT_CODE;
      }
      return 0;
    } catch (error) {
      progress.clear();
      if (error instanceof InferenceError && error.code === 'INVALID_OPTIONS')
        throw new UsageError(error.message);
      throw error;
    } finally {
      process.removeListener('SIGINT', interrupt);
      slide.close();
      generator.dispose();
    }
  });
}

function summary(result: TranslateSlideResult): string {
  if (result.status === 'cancelled') return '';
  const lines = [
    `${result.outPath}: ${result.widthPx}x${result.heightPx}, ${result.levels.length} levels, ` +
      `${result.format === 'bigtiff' ? 'BigTIFF' : 'TIFF'}, ${result.fileBytes} bytes`,
    `  mpp ${result.mppX === null ? 'unknown (the slide has none)' : `${round(result.mppX)} x ${round(result.mppY!)}`}` +
      ` (also in ${basename(result.sidecarPath ?? '')})`,
    `  tiles: ${result.tissueTiles} translated, ${result.backgroundTiles} background` +
      (result.resumedFromTiffRow > 0 ? `, resumed at TIFF row ${result.resumedFromTiffRow}` : '') +
      `; ${result.seconds.toFixed(1)} s`,
  ];
  if (result.discardedWork)
    lines.push(`  an earlier unfinished translation was discarded: ${result.discardedWork}`);
  return `${lines.join('\n')}\n`;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

interface ProgressView {
  update(progress: TranslateProgress): void;
  note(text: string): void;
  clear(): void;
}

/**
 * A progress bar redrawn in place on a terminal's stderr (at most 5 times a second), else one line per
 * tenth of the job and per phase: logs of unattended runs stay short.
 */
function createProgressView(io: CliIo, quiet: boolean): ProgressView {
  const stream = io.stderr as NodeJS.WriteStream;
  const tty = stream.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  let lastTenth = -1;
  let lastPhase = '';
  let shown = false;
  const line = (p: TranslateProgress): string => {
    const seconds = (performance.now() - started) / 1000;
    const eta = p.fraction > 0.01 ? (seconds * (1 - p.fraction)) / p.fraction : null;
    const unit = p.phase === 'translate' ? 'tiles' : 'rows';
    return (
      `${(100 * p.fraction).toFixed(0).padStart(3)}% ${p.phase} ${p.done}/${p.total} ${unit}` +
      (p.phase === 'translate' ? ` (${p.tissueTiles} tissue, ${p.backgroundTiles} background)` : '') +
      ` ${seconds.toFixed(0)} s` +
      (eta === null ? '' : `, about ${eta.toFixed(0)} s left`)
    );
  };
  return {
    update: (p) => {
      if (quiet) return;
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 200 && p.fraction < 1) return;
        lastDraw = now;
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        const barWidth = 20;
        const filled = Math.round(p.fraction * barWidth);
        const text = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${line(p)}`;
        stream.write(`\r${text.slice(0, width).padEnd(width)}`);
        shown = true;
        return;
      }
      const tenth = Math.floor(p.fraction * 10);
      if (tenth === lastTenth && p.phase === lastPhase) return;
      lastTenth = tenth;
      lastPhase = p.phase;
      stream.write(`${line(p)}\n`);
    },
    note: (text) => {
      if (quiet) return;
      if (shown) stream.write('\n');
      shown = false;
      stream.write(`${text}\n`);
    },
    clear: () => {
      if (!shown) return;
      stream.write(`\r${' '.repeat(Math.max(20, (stream.columns ?? 80) - 1))}\r`);
      shown = false;
    },
  };
}
